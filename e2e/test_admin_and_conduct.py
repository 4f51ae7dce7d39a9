"""The administrator sets up a provider, an event, its team and a provider user; the
provider raises a concern that the lead inspector answers; evidence confirmation is
asked for and given; the complaints information appears after the final report.
By mouse, once by keyboard only, and once with JavaScript off; axe on every screen."""

from __future__ import annotations

import email
import re
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta
from email import policy
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import DEMO_PASSWORD, Server, sign_in, start_server

NEW_PASSWORD = "Quiet-Harbour-73-Lantern"


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")


def initial_password(server: Server, address: str) -> str:
    """The second invitation email (the worker writes it to the outbox)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for path in sorted((server.data_dir / "outbox").glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] != address:
                continue
            body = message.get_body(preferencelist=("plain",)).get_content()
            found = re.search(r"Your password for the .+ is: (\S+)", body)
            if found:
                return found.group(1)
        time.sleep(0.3)
    raise AssertionError(f"no invitation email for {address}")


def publish_final_report(server: Server, event_ref: str) -> None:
    """As if the lead inspector had saved a final report (the documents feature's job)."""
    db = sqlite3.connect(server.data_dir / "portal.sqlite3")
    try:
        event_id = db.execute("SELECT id FROM event WHERE event_ref = ?", (event_ref,)).fetchone()[
            0
        ]
        lead = db.execute(
            "SELECT id FROM portal_user WHERE username = 'lead.inspector'"
        ).fetchone()[0]
        now = datetime.now(UTC).isoformat()
        db.execute(
            "INSERT INTO document (event, side, kind, file_name, stored_name, size, sha256, "
            "content_type, uploaded_by, uploaded_at, state, saved_at) "
            "VALUES (?, 'ofsted', 'final_report', 'Final report.pdf', ?, 10, ?, "
            "'application/pdf', ?, ?, 'live', ?)",
            (event_id, f"e2e-final-{event_ref}", "0" * 64, lead, now, now),
        )
        db.commit()
    finally:
        db.close()


def fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_admin_sets_up_an_event_and_the_code_of_conduct_is_followed(
    page: Page, tmp_path: Path
) -> None:
    server = start_server(tmp_path / "server")
    try:
        _journey(page, server)
    finally:
        server.stop()


def _journey(page: Page, server: Server) -> None:
    today = date.today()
    heading = page.get_by_role("heading", level=1)

    # The administrator's home is the console.
    sign_in(page, server, "admin")
    expect(heading).to_have_text("Administration")
    assert page.url.endswith("/admin")
    assert_accessible(page, "admin home")

    page.get_by_role("link", name="Providers").click()
    expect(heading).to_have_text("Providers")
    assert_accessible(page, "providers list")
    page.get_by_role("link", name="Create a provider").click()
    page.get_by_role("button", name="Create provider").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the provider’s name")
    assert_accessible(page, "create provider with errors")
    page.get_by_label("Name").fill("Brookside Primary School")
    page.get_by_label("Unique reference number (URN)").fill("E2E001")
    page.get_by_label("Address").fill("1 Brook Lane\nBrookside\nBS1 1AA")
    page.get_by_role("button", name="Create provider").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Provider created")
    assert_accessible(page, "provider page")

    page.get_by_role("link", name="Create an event for this provider").click()
    expect(page.get_by_label("Provider’s URN")).to_have_value("E2E001")
    page.get_by_label("Event ID").fill("INS-E2E-0001")
    page.get_by_label("Inspection").check()
    fill_date(page, "Start date", today)
    fill_date(page, "End date", today + timedelta(days=1))
    assert_accessible(page, "create event form")
    page.get_by_role("button", name="Create event").click()
    expect(heading).to_have_text("INS-E2E-0001")
    assert_accessible(page, "admin event page")

    page.get_by_role("link", name="Add an inspector to the team").click()
    page.get_by_label("Inspector’s username").fill("lead.inspector")
    page.get_by_label("Lead inspector").check()
    page.get_by_label("Pen portrait").fill("Helen leads on early reading.")
    assert_accessible(page, "add inspector form")
    page.get_by_role("button", name="Add inspector").click()
    expect(page.locator(".govuk-table")).to_contain_text("Helen Carter HMI")
    assert_accessible(page, "event page with its team")

    page.goto(f"{server.url}/admin/users")
    page.get_by_role("link", name="Create a user").click()
    page.get_by_label("Full name").fill("Bea Brook")
    page.get_by_label("Email address").fill("bea.brook@brookside.example")
    page.get_by_label("Username").fill("bea.brook")
    page.get_by_label("Provider user").check()
    page.get_by_label("Provider’s URN").fill("E2E001")
    assert_accessible(page, "create user form")
    page.get_by_role("button", name="Create user").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("invitation emails sent")
    assert_accessible(page, "user page")
    sign_out(page)

    # The new provider user signs in with the emailed password and chooses their own.
    sign_in(page, server, "bea.brook", initial_password(server, "bea.brook@brookside.example"))
    expect(heading).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(heading).not_to_have_text("Choose a new password")
    page.goto(f"{server.url}/events")
    expect(heading).to_have_text("Brookside Primary School")
    assert_accessible(page, "new provider's profile page")

    page.get_by_role("button", name="I have read the code of conduct").click()
    expect(page.locator("#conduct-reading")).to_contain_text(
        "You confirmed that you have read the code of conduct"
    )
    assert_accessible(page, "code of conduct confirmed")

    page.get_by_role("link", name="Raise a concern").click()
    expect(heading).to_have_text("Raise a concern")
    assert_accessible(page, "raise a concern")
    page.get_by_role("button", name="Send concern").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your concern")
    assert_accessible(page, "raise a concern with an error")
    page.get_by_label("Your concern").fill("An inspector interviewed staff during their break.")
    page.get_by_role("button", name="Send concern").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your concern has been sent to the lead inspector"
    )
    assert_accessible(page, "profile with a concern")
    sign_out(page)

    # The lead inspector answers it in place and asks for evidence confirmation.
    sign_in(page, server, "lead.inspector")
    expect(heading).to_have_text("Your inspections")
    page.get_by_role("link", name="INS-E2E-0001").click()
    expect(page.locator("#conduct-reading")).to_contain_text("Bea Brook confirmed")
    page.get_by_label("Your response to concern 1").fill("I am sorry; it will not happen again.")
    page.get_by_label("Action taken").fill("Interviews moved to lesson time.")
    page.get_by_role("button", name="Send response").click()
    card = page.locator("[id^=concern-]").first
    expect(card).to_contain_text("Response from Helen Carter HMI")
    expect(page.locator("#portal-live")).to_have_text("Your response has been recorded")
    assert_accessible(page, "concern answered")
    page.get_by_role("link", name="Ask the provider to confirm evidence").click()
    page.get_by_label("Message to the provider (optional)").fill("Include governors' minutes.")
    assert_accessible(page, "ask for evidence confirmation")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#evidence-section")).to_contain_text("Waiting for the provider")
    assert_accessible(page, "profile with an evidence request")
    sign_out(page)

    # The provider says what is still outstanding.
    sign_in(page, server, "bea.brook", NEW_PASSWORD)
    page.goto(f"{server.url}/events")
    expect(page.locator("#concerns-section")).to_contain_text("Interviews moved to lesson time.")
    page.get_by_label("No, some evidence is still outstanding").check()
    page.get_by_label("What is still outstanding").fill("Minutes of the last meeting.")
    assert_accessible(page, "answer evidence confirmation")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator("#evidence-section")).to_contain_text("Minutes of the last meeting.")
    assert_accessible(page, "evidence confirmation answered")

    # After the final report, the provider is told how to complain.
    expect(page.get_by_text("If you want to make a complaint")).to_have_count(0)
    publish_final_report(server, "INS-E2E-0001")
    page.reload()
    expect(page.get_by_role("heading", name="If you want to make a complaint")).to_be_visible()
    expect(
        page.get_by_role("link", name="how to complain about Ofsted on GOV.UK")
    ).to_have_attribute(
        "href", "https://www.gov.uk/government/publications/complaints-about-ofsted"
    )
    assert_accessible(page, "profile with complaints information")
    sign_out(page)

    # The evidence record, for the inspectors and the administrator.
    sign_in(page, server, "admin")
    page.get_by_role("link", name="Events").click()
    page.get_by_label("Search events").fill("E2E")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results")).to_contain_text("Showing 1 to 1 of 1 event")
    assert_accessible(page, "event search")
    page.get_by_role("link", name="INS-E2E-0001").click()
    page.get_by_role("link", name="Evidence record").click()
    expect(page.locator(".govuk-table")).to_contain_text("Response to concern 1")
    expect(page.locator(".govuk-table")).to_contain_text("Evidence confirmation answered")
    assert_accessible(page, "evidence record")
    page.goto(f"{server.url}/admin/audit?event_ref=INS-E2E-0001")
    expect(page.locator("#results")).to_contain_text("concern raised")
    assert_accessible(page, "audit log")


def _press_on(page: Page, locator) -> None:
    locator.focus()
    page.keyboard.press("Enter")


def test_concern_by_keyboard_only(page: Page, tmp_path: Path) -> None:
    server = start_server(tmp_path / "server")
    try:
        heading = page.get_by_role("heading", level=1)
        page.goto(f"{server.url}/sign-in")
        page.get_by_label("Username").focus()
        page.keyboard.type("provider")
        page.keyboard.press("Tab")
        page.keyboard.type(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        expect(heading).to_have_text("Oakfield Primary School")
        _press_on(page, page.get_by_role("link", name="Raise a concern"))
        expect(heading).to_have_text("Raise a concern")
        page.get_by_label("Your concern").focus()
        page.keyboard.type("We were not told the timetable.")
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Send concern")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "Your concern has been sent"
        )
        assert_accessible(page, "concern sent by keyboard")
        _press_on(page, page.get_by_role("button", name="Sign out"))
        # Let the sign-out finish before going on, or the next navigation aborts it.
        expect(heading).to_have_text("You have signed out")

        page.goto(f"{server.url}/sign-in")
        page.get_by_label("Username").focus()
        page.keyboard.type("lead.inspector")
        page.keyboard.press("Tab")
        page.keyboard.type(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        _press_on(page, page.get_by_role("link", name="INS-2026-0415"))
        page.get_by_label("Your response to concern 1").focus()
        page.keyboard.type("Sorry: the timetable is now in the documents.")
        page.keyboard.press("Tab")
        page.keyboard.type("Timetable uploaded.")
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Send response")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#portal-live")).to_have_text("Your response has been recorded")
        focused = page.evaluate("document.activeElement.textContent")
        assert "Concern 1" in focused
        assert_accessible(page, "concern answered by keyboard")
    finally:
        server.stop()


def test_concern_without_javascript(nojs_page: Page, tmp_path: Path) -> None:
    page = nojs_page
    server = start_server(tmp_path / "server")
    try:
        sign_in(page, server, "provider")
        page.get_by_role("link", name="Raise a concern").click()
        page.get_by_role("button", name="Send concern").click()
        expect(page).to_have_title("Error: Raise a concern – Provider Portal")
        assert_accessible(page, "concern error without JavaScript")
        page.get_by_label("Your concern").fill("Lunch was interrupted.")
        page.get_by_role("button", name="Send concern").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "Your concern has been sent"
        )
        sign_out(page)
        sign_in(page, server, "lead.inspector")
        page.get_by_role("link", name="INS-2026-0415").click()
        page.get_by_role("button", name="Send response").click()
        expect(page).to_have_title(re.compile("^Error: Concern 1"))
        expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your response")
        assert_accessible(page, "response error without JavaScript")
        page.get_by_label("Your response to concern 1").fill("Noted.")
        page.get_by_label("Action taken").fill("None needed.")
        page.get_by_role("button", name="Send response").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "Your response has been recorded"
        )
        expect(page.locator("#concerns-section")).to_contain_text("None needed.")
        assert_accessible(page, "concern answered without JavaScript")
    finally:
        server.stop()
