"""The quick start guide's 'Factual accuracy check' section, end to end: by mouse, by
keyboard only and with JavaScript off; and two colleagues editing it at once. Completing
the check is final, so each journey runs on its own fresh demo server."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import Server, run_cli, sign_in, watched_page

CONFIRM = "I confirm that I have entered all my comments on the draft report"
QUESTION = "Do you wish to make any comments about the factual accuracy of the report?"
COMMENT = "Section 2, paragraph 4: the school has 212 pupils on roll, not 221."
DUE = re.compile(r"Due by 5pm on (Monday|Tuesday|Wednesday|Thursday|Friday) \d{1,2} \w+ \d{4}")


def open_form_from_profile(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    forms = page.locator(".govuk-task-list")
    expect(forms).to_contain_text("Open")
    expect(forms).to_contain_text(DUE)
    page.get_by_role("link", name="Factual accuracy check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Factual accuracy check")


def outbox_mail(server: Server) -> dict[str, str]:
    """To → body of every mail the demo's worker wrote (it runs every 2 seconds)."""
    deadline = time.monotonic() + 15
    found: dict[str, str] = {}
    while time.monotonic() < deadline:
        found = {}
        for path in (server.data_dir / "outbox").glob("*.eml"):
            message = message_from_bytes(path.read_bytes(), policy=default)
            if not " ".join(str(message["Subject"]).split()).startswith("Factual accuracy check"):
                continue  # the mails of 'Done' only
            text = message.get_body(("plain",))
            found[str(message["To"])] = text.get_content() if text is not None else ""
        if len(found) >= 2:
            break
        time.sleep(0.5)
    return found


def test_provider_completes_the_check_by_mouse(page: Page, own_server: Server) -> None:
    server = own_server
    sign_in(page, server, "provider")
    open_form_from_profile(page)
    expect(page.get_by_text(DUE)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("draft inspection report.pdf"))).to_be_visible()
    assert_accessible(page, "empty accuracy check form")

    # Done with nothing answered: the errors, in place, with focus on the summary.
    page.get_by_role("button", name="Done").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        "Select yes if you wish to make any comments about the factual accuracy of the report"
    )
    expect(summary).to_contain_text(
        "Confirm that you have entered all your comments on the draft report"
    )
    expect(page.locator("#portal-live")).to_have_text("There is a problem")
    expect(page).to_have_title("Error: Factual accuracy check – Provider Portal")
    assert_accessible(page, "accuracy check form with errors")

    # Yes, and a comment typed: it is saved as you type (no button pressed).
    page.get_by_role("group", name=QUESTION).get_by_label("Yes").check()
    with page.expect_response(
        lambda r: r.request.method == "POST" and "comments=Section" in (r.request.post_data or "")
    ) as autosaved:
        page.get_by_label("Your comments").fill(COMMENT)
    assert autosaved.value.status == 200
    expect(page.locator("#accuracy-autosave")).to_contain_text("Last saved on")
    assert_accessible(page, "accuracy check after an autosave")
    page.reload()
    expect(page.get_by_label("Your comments")).to_have_value(COMMENT)
    expect(page.get_by_role("group", name=QUESTION).get_by_label("Yes")).to_be_checked()

    # 'Save and come back later' saves in place and says so.
    page.get_by_label("Your comments").fill(COMMENT + "\nSection 3: the head's name is Ms Patel.")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your answers have been saved"
    )
    expect(page.locator("#portal-live")).to_contain_text("Your answers have been saved")
    expect(page).to_have_title("Factual accuracy check – Provider Portal")
    assert_accessible(page, "saved draft of the accuracy check")

    # Back on the profile: in progress.
    page.get_by_role("link", name="Back to Oakfield Primary School").click()
    expect(page.locator(".govuk-task-list")).to_contain_text("In progress")
    page.get_by_role("link", name="Factual accuracy check").click()
    expect(page.get_by_label("Your comments")).to_have_value(
        COMMENT + "\nSection 3: the head's name is Ms Patel."
    )

    # A second tab with the same form open, for later.
    second_tab = page.context.new_page()
    second_tab.goto(page.url)
    expect(second_tab.get_by_role("button", name="Done")).to_be_visible()

    page.get_by_label(CONFIRM).check()
    page.get_by_role("button", name="Done").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Factual accuracy check")
    expect(heading).to_be_focused()
    expect(page.locator("#portal-live")).to_have_text(
        "Factual accuracy check completed. It has been sent to Ofsted and is now view only."
    )
    expect(page.get_by_text(re.compile(r"Completed on .* by Priya Shah"))).to_be_visible()
    expect(page.locator("textarea, input[type=radio], input[type=checkbox]")).to_have_count(0)
    expect(page.get_by_text("Section 3: the head's name is Ms Patel.")).to_be_visible()
    assert_accessible(page, "view-only accuracy check")

    # The second tab's 'Save and come back later' changes nothing; the view-only page
    # replaces its form and says why.
    second_tab.get_by_label("Your comments").fill("Too late")
    second_tab.get_by_role("button", name="Save and come back later").click()
    expect(second_tab.locator("#portal-live")).to_have_text(
        "This factual accuracy check has already been completed. Nothing was changed."
    )
    expect(second_tab.locator("textarea")).to_have_count(0)
    expect(second_tab.get_by_text("Section 3: the head's name is Ms Patel.")).to_be_visible()
    assert_accessible(second_tab, "second tab's view-only swap")
    second_tab.close()

    # The same page after a reload is still view-only.
    page.reload()
    expect(page.get_by_role("button", name="Done")).to_have_count(0)

    mails = outbox_mail(server)
    assert "helen.carter@ofsted.example" in mails
    assert COMMENT in mails["priya.shah@oakfield.example"]

    # The lead inspector sees it completed on the profile and reads the answers.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    sign_in(page, server, "lead.inspector")
    page.goto(f"{server.url}/events")
    page.get_by_role("link", name="INS-2026-0415").click()
    expect(page.locator(".govuk-task-list")).to_contain_text("Completed")
    page.get_by_role("link", name="Factual accuracy check").click()
    expect(page.get_by_text(COMMENT)).to_be_visible()
    assert_accessible(page, "view-only accuracy check as the lead inspector")


def _tab_to(page: Page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_provider_completes_the_check_by_keyboard(page: Page, own_server: Server) -> None:
    server = own_server
    sign_in(page, server, "provider")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    _tab_to(page, "a[href$='/accuracy-check']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Factual accuracy check")
    assert_accessible(page, "empty accuracy check form (keyboard)")

    # Done first: the error summary takes focus; its link leads to the field.
    _tab_to(page, "button[value=done]")
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    assert_accessible(page, "accuracy check form with errors (keyboard)")

    _tab_to(page, "input[name=wants_to_comment]")
    page.keyboard.press("Space")  # the first radio: Yes
    expect(page.get_by_role("group", name=QUESTION).get_by_label("Yes")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Your comments")).to_be_focused()
    page.keyboard.type(COMMENT)
    _tab_to(page, "button[value=save]")
    page.keyboard.press("Enter")
    expect(page.locator("#portal-live")).to_contain_text("Your answers have been saved")
    assert_accessible(page, "saved draft (keyboard)")

    _tab_to(page, "input[name=confirmed]")
    page.keyboard.press("Space")
    expect(page.get_by_label(CONFIRM)).to_be_checked()
    _tab_to(page, "button[value=done]")
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_be_focused()
    expect(page.get_by_text(COMMENT)).to_be_visible()
    expect(page.locator("textarea")).to_have_count(0)
    assert_accessible(page, "view-only accuracy check (keyboard)")


def test_provider_completes_the_check_without_javascript(
    nojs_page: Page, own_server: Server
) -> None:
    page = nojs_page
    server = own_server
    sign_in(page, server, "provider")
    open_form_from_profile(page)
    assert_accessible(page, "empty accuracy check form without JavaScript")

    page.get_by_role("group", name=QUESTION).get_by_label("Yes").check()
    page.get_by_role("button", name="Done").click()
    expect(page).to_have_title("Error: Factual accuracy check – Provider Portal")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter your comments about the factual accuracy of the report"
    )
    expect(page.get_by_role("group", name=QUESTION).get_by_label("Yes")).to_be_checked()
    assert_accessible(page, "accuracy check form with errors without JavaScript")

    page.get_by_label("Your comments").fill(COMMENT)
    page.get_by_role("button", name="Save and come back later").click()
    expect(page).to_have_url(re.compile(r"/accuracy-check\?saved=1$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your answers have been saved"
    )
    expect(page.get_by_label("Your comments")).to_have_value(COMMENT)
    assert_accessible(page, "saved draft without JavaScript")

    # A second tab with the same form open, for later.
    second_tab = page.context.new_page()
    second_tab.goto(page.url)

    page.get_by_label(CONFIRM).check()
    page.get_by_role("button", name="Done").click()
    expect(page).to_have_url(re.compile(r"/accuracy-check$"))
    expect(page.get_by_text(re.compile(r"Completed on .* by Priya Shah"))).to_be_visible()
    expect(page.get_by_text(COMMENT)).to_be_visible()
    expect(page.locator("textarea")).to_have_count(0)
    assert_accessible(page, "view-only accuracy check without JavaScript")

    # Done pressed in the second tab changes nothing: it shows the view-only page.
    second_tab.get_by_role("group", name=QUESTION).get_by_label("No").check()
    second_tab.get_by_label("Your comments").fill("")
    second_tab.get_by_label(CONFIRM).check()
    second_tab.get_by_role("button", name="Done").click()
    expect(second_tab.get_by_text(re.compile(r"Completed on .* by Priya Shah"))).to_be_visible()
    expect(second_tab.get_by_text(COMMENT)).to_be_visible()
    expect(second_tab.locator("textarea")).to_have_count(0)


# Two people of the same provider with the form open at once: Priya Shah (the demo's
# "provider") and a colleague, Sam Patel, made by the real `create-user` command.
COLLEAGUE = "Sam Patel"
COLLEAGUE_COMMENT = (
    "Section 1, paragraph 2: the inspection was on 3 and 4 March, not 4 and 5 March."
)
OWN_COMMENT = "Section 4, paragraph 1: the nursery class opened in 2019, not 2021."
MERGED = COLLEAGUE_COMMENT + "\n" + OWN_COMMENT
WHEN = r"on \d{1,2} \w+ \d{4} at \d{1,2}:\d{2}[ap]m"
NOT_SAVED = re.compile(
    rf"^Not saved: {COLLEAGUE} saved changes {WHEN}\. "
    r"Select ‘Save and come back later’ to compare them with yours"
)
OVERLAP = re.compile(
    rf"{COLLEAGUE} saved changes to this check {WHEN}, after you opened this page\. "
    r"Your answers have not been saved: compare them with theirs, then save again"
)
NEW_PASSWORD = "Kestrel42 nest"


def invite_colleague(server: Server) -> str:
    """`portal create-user` for a second Oakfield user; their temporary password, read
    from the invitation email in the outbox."""
    run_cli(
        server,
        *("create-user", "--username", "sam.colleague", "--email", "sam@oakfield.example"),
        *("--display-name", COLLEAGUE, "--role", "provider", "--provider-urn", "131415"),
    )
    deadline = time.monotonic() + 20
    while True:
        for path in (server.data_dir / "outbox").glob("*.eml"):
            message = message_from_bytes(path.read_bytes(), policy=default)
            if message["To"] != "sam@oakfield.example":
                continue
            body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            found = re.search(r"Your password for the Provider Portal is: (\S+)", body)
            if found:
                return found.group(1)
        assert time.monotonic() < deadline, "no invitation email with a password"
        time.sleep(0.2)


@pytest.fixture
def colleague(browser: Browser, own_server: Server) -> Iterator[Page]:
    """Sam Patel, signed in (a new password chosen at the first sign-in) in a browser
    context of their own, JavaScript on, on Oakfield's page."""
    password = invite_colleague(own_server)
    with watched_page(browser, who=" (colleague)") as sam:
        sign_in(sam, own_server, "sam.colleague", password)
        expect(sam.get_by_role("heading", level=1)).to_have_text("Choose a new password")
        sam.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        sam.get_by_label("Confirm new password").fill(NEW_PASSWORD)
        sam.get_by_role("button", name="Save new password").click()
        expect(sam.get_by_role("heading", level=1)).to_have_text(
            "Oakfield Primary School", timeout=15_000
        )
        yield sam


def colleague_saves_their_comments(sam: Page) -> None:
    open_form_from_profile(sam)
    sam.get_by_role("group", name=QUESTION).get_by_label("Yes").check()
    sam.get_by_label("Your comments").click()
    sam.keyboard.type(COLLEAGUE_COMMENT)
    sam.get_by_role("button", name="Save and come back later").click()
    expect(sam.locator(".govuk-notification-banner")).to_contain_text(
        "Your answers have been saved"
    )
    expect(sam.get_by_label("Your comments")).to_have_value(COLLEAGUE_COMMENT)


def expect_colleagues_answers_beside_own(page: Page) -> None:
    """The page after a refused save: the colleague's answers in an inset, the user's
    own still in the form."""
    expect(page).to_have_title("Error: Factual accuracy check – Provider Portal")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text(OVERLAP)
    expect(summary.get_by_role("link", name=OVERLAP)).to_have_attribute(
        "href", "#saved-by-colleague"
    )
    theirs = page.locator("#saved-by-colleague")
    expect(theirs.get_by_role("heading", level=2)).to_have_text(
        re.compile(rf"^Saved by {COLLEAGUE} {WHEN}$")
    )
    expect(theirs).to_contain_text(COLLEAGUE_COMMENT)
    expect(theirs).not_to_contain_text(OWN_COMMENT)
    expect(page.get_by_label("Your comments")).to_have_value(OWN_COMMENT)
    expect(page.get_by_role("group", name=QUESTION).get_by_label("Yes")).to_be_checked()


def test_two_colleagues_editing_at_once_neither_loses_words(
    page: Page, own_server: Server, colleague: Page
) -> None:
    server, sam = own_server, colleague
    sign_in(page, server, "provider")
    open_form_from_profile(page)  # Priya's page shows the answers as they are now
    assert_accessible(page, "accuracy check form, before a colleague saves")

    colleague_saves_their_comments(sam)
    assert_accessible(sam, "the colleague's saved draft")

    # Priya types on a page that no longer shows the saved answers: saving as she types
    # is refused, and the status line under the form says who saved and what to do.
    page.get_by_role("group", name=QUESTION).get_by_label("Yes").check()
    page.get_by_label("Your comments").click()
    with page.expect_response(
        lambda r: r.request.method == "POST" and "nursery" in (r.request.post_data or "")
    ) as autosaved:
        page.keyboard.type(OWN_COMMENT)
    assert autosaved.value.status == 200
    expect(page.locator("#accuracy-autosave")).to_have_text(NOT_SAVED)
    expect(page.locator("#portal-live")).to_have_text(NOT_SAVED)  # heard, not only seen
    expect(page.get_by_label("Your comments")).to_be_focused()  # typing goes on
    expect(page.get_by_label("Your comments")).to_have_value(OWN_COMMENT)
    assert_accessible(page, "save as you type refused: a colleague saved")

    # Nothing of hers was written: Sam still sees only their own words.
    sam.reload()
    expect(sam.get_by_label("Your comments")).to_have_value(COLLEAGUE_COMMENT)

    # 'Save and come back later' shows both, with focus on the error summary.
    page.get_by_role("button", name="Save and come back later").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("#portal-live")).to_have_text("There is a problem")
    expect_colleagues_answers_beside_own(page)
    expect(page.locator(".govuk-notification-banner")).to_have_count(0)
    assert_accessible(page, "a colleague's answers beside one's own")
    sam.reload()
    expect(sam.get_by_label("Your comments")).to_have_value(COLLEAGUE_COMMENT)

    # The summary's link leads to the colleague's answers.
    summary.get_by_role("link", name=OVERLAP).click()
    expect(page.locator("#saved-by-colleague")).to_be_focused()

    # She keeps both sets of words and saves again: it goes through now.
    comments = page.get_by_label("Your comments")
    comments.click()
    page.keyboard.press("Control+Home")
    page.keyboard.type(COLLEAGUE_COMMENT + "\n")
    expect(comments).to_have_value(MERGED)
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your answers have been saved"
    )
    expect(page.locator("#portal-live")).to_contain_text("Your answers have been saved")
    expect(page).to_have_title("Factual accuracy check – Provider Portal")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("#saved-by-colleague")).to_have_count(0)
    assert_accessible(page, "merged answers saved")

    page.reload()
    expect(page.get_by_label("Your comments")).to_have_value(MERGED)
    expect(page.locator("#accuracy-autosave")).to_contain_text("Last saved on")
    sam.reload()
    expect(sam.get_by_label("Your comments")).to_have_value(MERGED)
    expect(sam.get_by_role("group", name=QUESTION).get_by_label("Yes")).to_be_checked()
    assert_accessible(sam, "the colleague sees the merged answers")


def test_two_colleagues_editing_at_once_without_javascript(
    nojs_page: Page, own_server: Server, colleague: Page
) -> None:
    page, server, sam = nojs_page, own_server, colleague
    sign_in(page, server, "provider")
    open_form_from_profile(page)
    assert_accessible(page, "accuracy check form without JavaScript, before a colleague saves")

    colleague_saves_their_comments(sam)

    page.get_by_role("group", name=QUESTION).get_by_label("Yes").check()
    page.get_by_label("Your comments").fill(OWN_COMMENT)
    page.get_by_role("button", name="Save and come back later").click()
    expect(page).to_have_url(re.compile(r"/accuracy-check$"))
    expect_colleagues_answers_beside_own(page)
    expect(page.locator(".govuk-notification-banner")).to_have_count(0)
    assert_accessible(page, "a colleague's answers beside one's own without JavaScript")
    sam.reload()
    expect(sam.get_by_label("Your comments")).to_have_value(COLLEAGUE_COMMENT)

    page.get_by_label("Your comments").fill(MERGED)
    page.get_by_role("button", name="Save and come back later").click()
    expect(page).to_have_url(re.compile(r"/accuracy-check\?saved=1$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your answers have been saved"
    )
    expect(page).to_have_title("Factual accuracy check – Provider Portal")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("#saved-by-colleague")).to_have_count(0)
    expect(page.get_by_label("Your comments")).to_have_value(MERGED)
    assert_accessible(page, "merged answers saved without JavaScript")

    page.reload()
    expect(page.get_by_label("Your comments")).to_have_value(MERGED)
    sam.reload()
    expect(sam.get_by_label("Your comments")).to_have_value(MERGED)
