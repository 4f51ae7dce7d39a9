"""The code of conduct on the event's page: the provider confirms reading it, raises a
concern and a follow-up to it; the lead inspector answers the follow-up and asks for
evidence confirmation; the provider answers; the evidence record shows it all and
downloads as a CSV whose rows are checked. By keyboard only (Tab, Shift+Tab, Enter,
Space) and with JavaScript off, axe on every page state."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import DEMO_PASSWORD, Server, sign_in
from e2e.keyboard import move_to, press_on, sign_in_by_keyboard, sign_out_by_keyboard, type_into
from e2e.stored import rows

EVENT = "INS-2026-0415"
FIRST = "The inspector arrived an hour before the agreed time."
FOLLOW_UP = "It happened again on the second morning."
RESPONSE = "I am sorry: I have agreed start times with the headteacher."
ACTION = "Start times written into the timetable."
REQUEST = "Please include the safeguarding training log."
OUTSTANDING = "The training log for supply staff."
HEADER = ["Event ID", "When (UTC)", "What", "Who", "Details"]


@pytest.fixture
def server(own_server: Server) -> Server:
    # Each test raises the demo event's first concern: a server of its own.
    return own_server


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def expected_record(provider: str, answer: str) -> list[tuple[str, str, str]]:
    """(What, Who, Details) of each row, oldest first."""
    return [
        ("Code of conduct read", provider, "Confirmed they have read the code of conduct."),
        ("Concern 1 raised", provider, FIRST),
        ("Concern 2 raised (follow-up to concern 1)", provider, FOLLOW_UP),
        (
            "Response to concern 2",
            "Helen Carter HMI",
            f"Response: {RESPONSE}\nAction taken: {ACTION}",
        ),
        ("Evidence confirmation requested", "Helen Carter HMI", REQUEST),
        ("Evidence confirmation answered", provider, answer),
    ]


def check_csv(path: Path, provider: str, answer: str) -> None:
    header, *body = read_csv(path)
    assert header == HEADER
    assert {row[0] for row in body} == {EVENT}
    assert [tuple(row[2:]) for row in body] == expected_record(provider, answer)
    # The times are UTC, oldest first, as stored.
    assert [row[1] for row in body] == sorted(row[1] for row in body)


def test_conduct_by_keyboard_only(page: Page, server: Server, tmp_path: Path) -> None:
    heading = page.get_by_role("heading", level=1)
    banner = page.locator(".govuk-notification-banner")
    live = page.locator("#portal-live")
    sign_in_by_keyboard(page, server.url, "provider", DEMO_PASSWORD)
    expect(heading).to_have_text("Oakfield Primary School")

    # Confirming the code of conduct has been read: a button pressed with Space, swapped
    # in place and announced.
    press_on(page, page.get_by_role("button", name="I have read the code of conduct"), "Space")
    expect(page.locator("#conduct-reading")).to_contain_text(
        "You confirmed that you have read the code of conduct"
    )
    expect(live).to_have_text("You have confirmed that you have read the code of conduct")
    expect(page.get_by_role("button", name="I have read the code of conduct")).to_have_count(0)
    assert_accessible(page, "code of conduct confirmed (keyboard)")

    # A concern, then a follow-up to it from its card.
    press_on(page, page.get_by_role("link", name="Raise a concern"))
    expect(heading).to_have_text("Raise a concern")
    assert_accessible(page, "raise a concern (keyboard)")
    type_into(page, page.get_by_label("Your concern"), FIRST)
    press_on(page, page.get_by_role("button", name="Send concern"))
    expect(banner).to_contain_text("Your concern has been sent to the lead inspector")
    assert_accessible(page, "concern sent (keyboard)")
    press_on(page, page.get_by_role("link", name="Add a follow-up to concern 1"))
    expect(heading).to_have_text("Add a follow-up to concern 1")
    expect(page.locator(".govuk-inset-text")).to_have_text(f"Concern 1: {FIRST}")
    assert_accessible(page, "add a follow-up (keyboard)")
    press_on(page, page.get_by_role("button", name="Send concern"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your concern")
    expect(heading).to_have_text("Add a follow-up to concern 1")  # still a follow-up
    assert_accessible(page, "follow-up with an error (keyboard)")
    press_on(page, summary.get_by_role("link", name="Enter your concern"))
    expect(page.get_by_label("Your concern")).to_be_focused()
    page.keyboard.type(FOLLOW_UP)
    press_on(page, page.get_by_role("button", name="Send concern"))
    expect(banner).to_contain_text("Your concern has been sent to the lead inspector")
    follow_up = page.locator("#concerns-section .portal-record").nth(1)
    expect(follow_up).to_contain_text("Concern 2 (follow-up to concern 1)")
    expect(follow_up).to_contain_text(FOLLOW_UP)
    assert_accessible(page, "follow-up sent (keyboard)")
    sign_out_by_keyboard(page)

    # The lead inspector answers the follow-up in place and asks for evidence confirmation.
    sign_in_by_keyboard(page, server.url, "lead.inspector", DEMO_PASSWORD)
    press_on(page, page.get_by_role("link", name=EVENT))
    expect(page.locator("#conduct-reading")).to_contain_text("Priya Shah confirmed")
    assert_accessible(page, "the lead inspector's view of the concerns (keyboard)")
    type_into(page, page.get_by_label("Your response to concern 2"), RESPONSE)
    type_into(page, page.get_by_label("Action taken").nth(1), ACTION)
    press_on(page, page.get_by_role("button", name="Send response").nth(1))
    expect(live).to_have_text("Your response has been recorded")
    card = page.locator("#concerns-section .portal-record").nth(1)
    expect(card).to_contain_text("Response from Helen Carter HMI")
    expect(card).to_contain_text(ACTION)
    assert_accessible(page, "follow-up answered (keyboard)")
    press_on(page, page.get_by_role("link", name="Ask the provider to confirm evidence"))
    expect(heading).to_have_text("Ask the provider to confirm evidence")
    assert_accessible(page, "ask for evidence confirmation (keyboard)")
    type_into(page, page.get_by_label("Message to the provider (optional)"), REQUEST)
    press_on(page, page.get_by_role("button", name="Send request"))
    expect(banner).to_contain_text("The provider has been asked to confirm")
    expect(page.locator("#evidence-section")).to_contain_text("Waiting for the provider")
    assert_accessible(page, "evidence confirmation asked (keyboard)")
    sign_out_by_keyboard(page)

    # The provider: nothing chosen is refused; the summary's link leads to the radios,
    # Space chooses one.
    sign_in_by_keyboard(page, server.url, "provider", DEMO_PASSWORD)
    evidence = page.locator("#evidence-section")
    expect(evidence).to_contain_text(REQUEST)
    assert_accessible(page, "evidence confirmation asked of the provider (keyboard)")
    press_on(page, page.get_by_role("button", name="Send answer"))
    summary = evidence.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select whether you have provided all relevant evidence")
    assert_accessible(page, "evidence answer with an error (keyboard)")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    yes = page.get_by_label("Yes, we have provided or given access to all relevant evidence")
    expect(yes).to_be_focused()
    page.keyboard.press("Space")
    expect(yes).to_be_checked()
    press_on(page, page.get_by_role("button", name="Send answer"))
    # The answer is a submission: the announcement gives its reference too.
    expect(live).to_have_text(
        re.compile(
            r"^Your answer has been sent to the inspection team\. Your reference is PP-[0-9A-Z]{4}-[0-9A-Z]{4}$"
        )
    )
    expect(evidence).to_contain_text("All relevant evidence has been provided or made available")
    assert_accessible(page, "evidence confirmation answered (keyboard)")
    sign_out_by_keyboard(page)

    # The evidence record, on screen and as a CSV.
    sign_in_by_keyboard(page, server.url, "lead.inspector", DEMO_PASSWORD)
    press_on(page, page.get_by_role("link", name=EVENT))
    press_on(page, page.get_by_role("link", name="Evidence record"), max_steps=200)
    expect(heading).to_have_text("Evidence record")
    table = page.get_by_role("table", name="Evidence record")
    expect(table.locator("tbody tr")).to_have_count(6)
    expect(table).to_contain_text("Concern 2 raised (follow-up to concern 1)")
    assert_accessible(page, "evidence record (keyboard)")
    with page.expect_download() as download:
        press_on(page, page.get_by_role("link", name="Download the evidence record (CSV)"))
    assert download.value.suggested_filename == f"evidence-record-{EVENT}.csv"
    saved = tmp_path / "record.csv"
    download.value.save_as(saved)
    check_csv(
        saved,
        "Priya Shah",
        "All relevant evidence has been provided or made available.",
    )
    # Back to the event by its back link, up the page.
    move_to(page, page.get_by_role("link", name="Back to the inspection"))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Oakfield Primary School")


def test_conduct_without_javascript(nojs_page: Page, server: Server, tmp_path: Path) -> None:
    page = nojs_page
    heading = page.get_by_role("heading", level=1)
    banner = page.locator(".govuk-notification-banner")
    sign_in(page, server, "provider")
    page.get_by_role("button", name="I have read the code of conduct").click()
    expect(banner).to_contain_text("You have confirmed that you have read the code of conduct")
    expect(page.locator("#conduct-reading")).to_contain_text(
        "You confirmed that you have read the code of conduct"
    )
    assert_accessible(page, "code of conduct confirmed without JavaScript")

    page.get_by_role("link", name="Raise a concern").click()
    expect(heading).to_have_text("Raise a concern")
    assert_accessible(page, "raise a concern without JavaScript")
    page.get_by_label("Your concern").fill(FIRST)
    page.get_by_role("button", name="Send concern").click()
    expect(banner).to_contain_text("Your concern has been sent")
    page.get_by_role("link", name="Add a follow-up to concern 1").click()
    expect(heading).to_have_text("Add a follow-up to concern 1")
    assert_accessible(page, "add a follow-up without JavaScript")
    page.get_by_role("button", name="Send concern").click()
    expect(page).to_have_title("Error: Raise a concern – Provider Portal")
    expect(heading).to_have_text("Add a follow-up to concern 1")
    assert_accessible(page, "follow-up with an error without JavaScript")
    page.get_by_label("Your concern").fill(FOLLOW_UP)
    page.get_by_role("button", name="Send concern").click()
    expect(banner).to_contain_text("Your concern has been sent")
    expect(page.locator("#concerns-section")).to_contain_text("Concern 2 (follow-up to concern 1)")
    assert_accessible(page, "follow-up sent without JavaScript")
    assert rows(
        server,
        "SELECT c.text, e.text FROM concern c JOIN concern e ON c.follow_up_of = e.id",
    ) == [(FOLLOW_UP, FIRST)]
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, server, "lead.inspector")
    page.get_by_role("link", name=EVENT).click()
    page.get_by_label("Your response to concern 2").fill(RESPONSE)
    page.get_by_label("Action taken").nth(1).fill(ACTION)
    page.get_by_role("button", name="Send response").nth(1).click()
    expect(banner).to_contain_text("Your response has been recorded")
    assert_accessible(page, "follow-up answered without JavaScript")
    page.get_by_role("link", name="Ask the provider to confirm evidence").click()
    expect(heading).to_have_text("Ask the provider to confirm evidence")
    assert_accessible(page, "ask for evidence confirmation without JavaScript")
    page.get_by_label("Message to the provider (optional)").fill(REQUEST)
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#evidence-section")).to_contain_text("Waiting for the provider")
    assert_accessible(page, "evidence confirmation asked without JavaScript")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, server, "provider")
    assert_accessible(page, "evidence confirmation asked of the provider without JavaScript")
    page.get_by_label("No, some evidence is still outstanding").check()
    page.get_by_role("button", name="Send answer").click()
    expect(page).to_have_title(f"Error: Evidence confirmation: {EVENT} – Provider Portal")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what is still outstanding")
    assert_accessible(page, "evidence answer with an error without JavaScript")
    page.get_by_label("No, some evidence is still outstanding").check()
    page.get_by_label("What is still outstanding").fill(OUTSTANDING)
    page.get_by_role("button", name="Send answer").click()
    expect(banner).to_contain_text("Your answer has been sent to the inspection team")
    expect(page.locator("#evidence-section")).to_contain_text(OUTSTANDING)
    assert_accessible(page, "evidence confirmation answered without JavaScript")
    page.get_by_role("button", name="Sign out").click()

    # The administrator reads the record and downloads it.
    sign_in(page, server, "admin")
    page.goto(f"{server.url}/admin/events?q={EVENT}")
    page.locator("#results").get_by_role("link", name=EVENT).click()
    page.get_by_role("link", name="Evidence record").click()
    expect(heading).to_have_text("Evidence record")
    expect(page.get_by_role("table", name="Evidence record").locator("tbody tr")).to_have_count(6)
    assert_accessible(page, "evidence record without JavaScript")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the evidence record (CSV)").click()
    saved = tmp_path / "record.csv"
    download.value.save_as(saved)
    check_csv(
        saved,
        "Priya Shah",
        f"Some evidence is still outstanding.\nStill outstanding: {OUTSTANDING}",
    )
