"""The quick start guide's 'Factual accuracy check' section, end to end: by mouse, by
keyboard only and with JavaScript off. Completing the check is final, so each journey
runs on its own fresh demo server."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import Server, sign_in, start_server

CONFIRM = "I confirm that I have entered all my comments on the draft report"
QUESTION = "Do you wish to make any comments about the factual accuracy of the report?"
COMMENT = "Section 2, paragraph 4: the school has 212 pupils on roll, not 221."
DUE = re.compile(r"Due by 5pm on (Monday|Tuesday|Wednesday|Thursday|Friday) \d{1,2} \w+ \d{4}")


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    running = start_server(tmp_path / "demo")
    yield running
    running.stop()


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
            message = message_from_bytes(path.read_bytes())
            payload = message.get_payload(decode=True)
            found[str(message["To"])] = payload.decode() if isinstance(payload, bytes) else ""
        if len(found) >= 2:
            break
        time.sleep(0.5)
    return found


def test_provider_completes_the_check_by_mouse(page: Page, fresh_server: Server) -> None:
    server = fresh_server
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


def test_provider_completes_the_check_by_keyboard(page: Page, fresh_server: Server) -> None:
    server = fresh_server
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
    nojs_page: Page, fresh_server: Server
) -> None:
    page = nojs_page
    server = fresh_server
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
