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
from e2e.keyboard import press_on, shift_tab_to, tab_to, type_into
from portal.clock import format_date_range

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


def test_concern_by_keyboard_only(page: Page, tmp_path: Path) -> None:
    server = start_server(tmp_path / "server")
    try:
        heading = page.get_by_role("heading", level=1)
        page.goto(f"{server.url}/sign-in")
        type_into(page, page.get_by_label("Username"), "provider")
        page.keyboard.press("Tab")
        page.keyboard.type(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        expect(heading).to_have_text("Oakfield Primary School")
        press_on(page, page.get_by_role("link", name="Raise a concern"))
        expect(heading).to_have_text("Raise a concern")
        type_into(page, page.get_by_label("Your concern"), "We were not told the timetable.")
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Send concern")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "Your concern has been sent"
        )
        assert_accessible(page, "concern sent by keyboard")
        press_on(page, page.get_by_role("button", name="Sign out"))
        # Let the sign-out finish before going on, or the next navigation aborts it.
        expect(heading).to_have_text("You have signed out")

        page.goto(f"{server.url}/sign-in")
        type_into(page, page.get_by_label("Username"), "lead.inspector")
        page.keyboard.press("Tab")
        page.keyboard.type(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        press_on(page, page.get_by_role("link", name="INS-2026-0415"))
        type_into(
            page,
            page.get_by_label("Your response to concern 1"),
            "Sorry: the timetable is now in the documents.",
        )
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


def test_concern_answered_in_another_tab(page: Page, tmp_path: Path) -> None:
    """A concern has one response: sent from a second tab, the first tab's form gives way
    to the card as it now is, with a message, swapped in place (no error page)."""
    server = start_server(tmp_path / "server")
    try:
        sign_in(page, server, "provider")
        page.get_by_role("link", name="Raise a concern").click()
        page.get_by_label("Your concern").fill("The feedback meeting was moved without notice.")
        page.get_by_role("button", name="Send concern").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "Your concern has been sent"
        )
        sign_out(page)
        sign_in(page, server, "lead.inspector")
        page.get_by_role("link", name="INS-2026-0415").click()
        other = page.context.new_page()
        other.goto(page.url)
        other.get_by_label("Your response to concern 1").fill("Apologies: it is back on Friday.")
        other.get_by_label("Action taken").fill("Meeting restored.")
        other.get_by_role("button", name="Send response").click()
        expect(other.locator("#concerns-section")).to_contain_text("Meeting restored.")
        other.close()
        page.get_by_label("Your response to concern 1").fill("A different answer.")
        page.get_by_label("Action taken").fill("Something else.")
        page.get_by_role("button", name="Send response").click()
        card = page.locator("#concerns-section [id^=concern-]").first
        expect(card).to_contain_text("This concern has already been answered")
        expect(card).to_contain_text("Meeting restored.")
        expect(card).not_to_contain_text("Something else.")
        expect(page.get_by_role("button", name="Send response")).to_have_count(0)
        expect(page.locator("#portal-live")).to_contain_text("already been answered")
        assert_accessible(page, "concern already answered")
    finally:
        server.stop()


# -- the console by keyboard only, and without JavaScript --------------------------------


def test_admin_creates_a_provider_user_and_event_by_keyboard_only(
    page: Page, tmp_path: Path
) -> None:
    server = start_server(tmp_path / "server")
    try:
        _keyboard_journey(page, server)
    finally:
        server.stop()


def _keyboard_journey(page: Page, server: Server) -> None:
    today = date.today()
    heading = page.get_by_role("heading", level=1)
    banner = page.locator(".govuk-notification-banner")
    summary = page.locator(".govuk-error-summary")

    page.goto(f"{server.url}/sign-in")
    type_into(page, page.get_by_label("Username"), "admin")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Administration")
    assert_accessible(page, "admin home (keyboard)")

    tab_to(page, page.get_by_role("link", name="Providers", exact=True))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Providers")
    assert_accessible(page, "providers list (keyboard)")
    tab_to(page, page.get_by_role("link", name="Create a provider"))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Create a provider")
    assert_accessible(page, "create provider form (keyboard)")

    # The address left out: the summary takes the focus, its link leads to the field.
    type_into(page, page.get_by_label("Name"), "Kestrel Bank Nursery")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Unique reference number (URN)")).to_be_focused()
    page.keyboard.type("kb2026")
    tab_to(page, page.get_by_role("button", name="Create provider"))
    page.keyboard.press("Enter")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the provider’s address")
    expect(page).to_have_title("Error: Create a provider – Provider Portal")
    expect(page.get_by_label("Name")).to_have_value("Kestrel Bank Nursery")
    expect(page.get_by_label("Unique reference number (URN)")).to_have_value("KB2026")
    assert_accessible(page, "create provider with an error (keyboard)")
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Enter the provider’s address")).to_be_focused()
    page.keyboard.press("Enter")
    address = page.get_by_label("Address")
    expect(address).to_be_focused()
    page.keyboard.type("4 Kestrel Bank\nHawkshead\nLA22 0NT")
    expect(address).to_have_value("4 Kestrel Bank\nHawkshead\nLA22 0NT")
    tab_to(page, page.get_by_role("button", name="Create provider"))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Kestrel Bank Nursery")
    expect(banner).to_contain_text("Provider created")
    expect(banner).to_be_focused()
    expect(page.get_by_label("Unique reference number (URN)")).to_have_value("KB2026")
    expect(page.get_by_text("This provider has no events yet.")).to_be_visible()
    assert_accessible(page, "provider page after create (keyboard)")

    # A provider user: the form comes with the role and the URN filled in.
    tab_to(page, page.get_by_role("link", name="Create a user for this provider"))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Create a user")
    expect(page.get_by_label("Provider user")).to_be_checked()
    expect(page.get_by_label("Provider’s URN")).to_have_value("KB2026")
    assert_accessible(page, "create user form (keyboard)")
    type_into(page, page.get_by_label("Full name"), "Kit Marsh")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type("kit.marsh@kestrelbank.example")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("kit.marsh")
    page.keyboard.press("Tab")  # into the radios, at the checked one
    expect(page.get_by_label("Provider user")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Inspector")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_label("Provider user")).to_be_checked()
    expect(page.get_by_label("Inspector")).not_to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Provider’s URN")).to_be_focused()
    tab_to(page, page.get_by_role("button", name="Create user"))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Kit Marsh")
    expect(banner).to_contain_text("User created and invitation emails sent")
    expect(banner).to_be_focused()
    details = page.locator(".govuk-summary-list")
    expect(details).to_contain_text("kit.marsh@kestrelbank.example")
    expect(details).to_contain_text("Provider, Kestrel Bank Nursery (URN KB2026)")
    expect(details).to_contain_text("Invited: has not set a password yet")
    assert_accessible(page, "user page after create (keyboard)")

    # Back to the provider through the console's navigation and the list's search.
    shift_tab_to(page, page.get_by_role("link", name="Administration"))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Administration")
    tab_to(page, page.get_by_role("link", name="Providers", exact=True))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Providers")
    results = page.locator("#results")
    expect(results).to_contain_text("Showing 1 to 3 of 3 providers")
    search = page.get_by_label("Search providers")
    type_into(page, search, "kestrel")
    page.keyboard.press("Enter")
    expect(results).to_contain_text("Showing 1 to 1 of 1 provider")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and one provider
    expect(results.get_by_role("row").nth(1)).to_contain_text(
        "Kestrel Bank Nursery KB2026 4 Kestrel Bank, Hawkshead, LA22 0NT"
    )
    expect(page.locator("#portal-live")).to_have_text("1 provider found")
    expect(search).to_be_focused()  # the results changed under the search box
    assert "q=kestrel" in page.url
    assert_accessible(page, "provider search results (keyboard)")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Search")).to_be_focused()
    tab_to(page, results.get_by_role("link", name="Kestrel Bank Nursery"))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Kestrel Bank Nursery")
    expect(banner).to_have_count(0)
    assert_accessible(page, "provider page (keyboard)")

    # An event for it; the radios by Space and the arrow keys.
    tab_to(page, page.get_by_role("link", name="Create an event for this provider"))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Create an event")
    expect(page.get_by_label("Provider’s URN")).to_have_value("KB2026")
    type_into(page, page.get_by_label("Event ID"), "ins-kb-0001")
    page.keyboard.press("Tab")  # no type chosen yet: Tab lands on the first
    expect(page.get_by_label("Inspection")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("Inspection")).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Visit")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_label("Inspection")).to_be_checked()
    end = today + timedelta(days=2)
    for legend, day in (("Start date", today), ("End date", end)):
        group = page.get_by_role("group", name=legend)
        type_into(page, group.get_by_label("Day"), str(day.day))
        page.keyboard.press("Tab")
        expect(group.get_by_label("Month")).to_be_focused()
        page.keyboard.type(str(day.month))
        page.keyboard.press("Tab")
        expect(group.get_by_label("Year")).to_be_focused()
        page.keyboard.type(str(day.year))
    assert_accessible(page, "create event form filled in (keyboard)")
    tab_to(page, page.get_by_role("button", name="Create event"))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("INS-KB-0001")
    expect(banner).to_contain_text("Event created")
    expect(banner).to_be_focused()
    facts = page.locator(".govuk-summary-list")
    expect(facts).to_contain_text("Inspection")
    expect(facts).to_contain_text(f"{format_date_range(today, end)}")
    expect(page.get_by_text("No inspectors are on the team yet.")).to_be_visible()
    assert_accessible(page, "event page after create (keyboard)")

    # The team: the role left out first, then chosen from the summary's link.
    tab_to(page, page.get_by_role("link", name="Add an inspector to the team"))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Add an inspector to the team")
    assert_accessible(page, "add inspector form (keyboard)")
    type_into(page, page.get_by_label("Inspector’s username"), "inspector")
    type_into(page, page.get_by_label("Pen portrait"), "David leads on mathematics.")
    tab_to(page, page.get_by_role("button", name="Add inspector"))
    page.keyboard.press("Enter")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select the inspector’s role")
    expect(page.get_by_label("Inspector’s username")).to_have_value("inspector")
    expect(page.get_by_label("Pen portrait")).to_have_value("David leads on mathematics.")
    assert_accessible(page, "add inspector with an error (keyboard)")
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Select the inspector’s role")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Lead inspector")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Team inspector")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Add inspector"))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("INS-KB-0001")
    expect(banner).to_contain_text("Inspector added")
    expect(banner).to_be_focused()
    team = page.get_by_role("table", name="Ofsted team")
    expect(team.get_by_role("row")).to_have_count(2)
    expect(team.get_by_role("row").nth(1)).to_contain_text(
        "David Okafor OI Team inspector David leads on mathematics."
    )
    assert_accessible(page, "event page with its team (keyboard)")

    # What is stored matches what was shown.
    db = sqlite3.connect(server.data_dir / "portal.sqlite3")
    try:
        stored = db.execute(
            "SELECT p.name, p.address, u.username, e.event_type, e.start_date, e.end_date, "
            "t.team_role FROM provider p JOIN portal_user u ON u.provider = p.id "
            "JOIN event e ON e.provider = p.id JOIN team_member t ON t.event = e.id "
            "WHERE p.urn = 'KB2026' AND e.event_ref = 'INS-KB-0001'"
        ).fetchall()
    finally:
        db.close()
    assert stored == [
        (
            "Kestrel Bank Nursery",
            "4 Kestrel Bank\nHawkshead\nLA22 0NT",
            "kit.marsh",
            "inspection",
            today.isoformat(),
            end.isoformat(),
            "team",
        )
    ]

    # The event page leads back to its provider (its name a link, not markup shown as
    # text), which now lists the event.
    expect(facts.locator(".govuk-summary-list__value").first).to_have_text(
        "Kestrel Bank Nursery (URN KB2026)"
    )
    tab_to(page, page.get_by_role("link", name="Kestrel Bank Nursery"))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Kestrel Bank Nursery")
    events = page.get_by_role("table", name="Events of Kestrel Bank Nursery")
    expect(events.get_by_role("row").nth(1)).to_contain_text(
        f"INS-KB-0001 {format_date_range(today, end)} Open"
    )
    assert_accessible(page, "provider page with its event (keyboard)")


def add_providers(server: Server, count: int) -> None:
    """Enough providers for the list to need a second page."""
    db = sqlite3.connect(server.data_dir / "portal.sqlite3")
    try:
        db.executemany(
            "INSERT INTO provider (name, urn, address) VALUES (?, ?, ?)",
            [
                (f"Meadow View School {n:02d}", f"MV{n:04d}", f"{n} Meadow Road\nLeeds")
                for n in range(1, count + 1)
            ],
        )
        db.commit()
    finally:
        db.close()


def stored_provider(server: Server, name_like: str) -> list[tuple[str, str]]:
    db = sqlite3.connect(server.data_dir / "portal.sqlite3")
    try:
        return db.execute(
            "SELECT name, urn FROM provider WHERE name LIKE ? ORDER BY id", (name_like,)
        ).fetchall()
    finally:
        db.close()


def test_admin_console_without_javascript(nojs_page: Page, tmp_path: Path) -> None:
    page = nojs_page
    server = start_server(tmp_path / "server")
    try:
        add_providers(server, 30)
        heading = page.get_by_role("heading", level=1)
        results = page.locator("#results")
        search = page.get_by_label("Search providers")
        rows = results.locator("tbody").get_by_role("row")

        sign_in(page, server, "admin")
        expect(heading).to_have_text("Administration")
        page.get_by_role("link", name="Providers", exact=True).click()
        expect(heading).to_have_text("Providers")
        expect(results).to_contain_text("Showing 1 to 25 of 32 providers")
        assert_accessible(page, "providers list without JavaScript")

        search.fill("meadow")
        page.get_by_role("button", name="Search").click()
        expect(results).to_contain_text("Showing 1 to 25 of 30 providers")
        assert "q=meadow" in page.url
        expect(search).to_have_value("meadow")
        expect(rows).to_have_count(25)
        expect(rows.first).to_contain_text("Meadow View School 01 MV0001 1 Meadow Road, Leeds")
        pages = page.get_by_role("navigation", name="Pages of results")
        expect(pages.get_by_role("link", name="Page 1")).to_have_attribute("aria-current", "page")
        expect(pages.get_by_role("link", name="Previous page")).to_have_count(0)
        assert_accessible(page, "provider search, page 1, without JavaScript")

        pages.get_by_role("link", name="Next page").click()
        expect(results).to_contain_text("Showing 26 to 30 of 30 providers")
        assert "q=meadow" in page.url and "page=2" in page.url
        expect(search).to_have_value("meadow")
        expect(rows).to_have_count(5)
        expect(rows.first).to_contain_text("Meadow View School 26")
        expect(rows.last).to_contain_text("Meadow View School 30")
        expect(pages.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
        expect(pages.get_by_role("link", name="Next page")).to_have_count(0)
        assert_accessible(page, "provider search, page 2, without JavaScript")

        results.get_by_role("link", name="Meadow View School 27").click()
        expect(heading).to_have_text("Meadow View School 27")
        expect(page.get_by_label("Unique reference number (URN)")).to_have_value("MV0027")
        assert_accessible(page, "provider page without JavaScript")

        # A URN that is not letters and digits: the form comes back as it was typed.
        page.get_by_label("Name").fill("Meadow View Academy 27")
        page.get_by_label("Unique reference number (URN)").fill("MV 27!")
        page.get_by_role("button", name="Save").click()
        expect(page).to_have_title("Error: Meadow View School 27 – Provider Portal")
        summary = page.locator(".govuk-error-summary")
        expect(summary.get_by_role("link")).to_have_text(
            "The URN must be 1 to 20 letters and digits"
        )
        expect(summary.get_by_role("link")).to_have_attribute("href", "#urn")
        expect(page.locator("#urn-error")).to_contain_text(
            "The URN must be 1 to 20 letters and digits"
        )
        expect(page.get_by_label("Name")).to_have_value("Meadow View Academy 27")
        expect(page.get_by_label("Unique reference number (URN)")).to_have_value("MV 27!")
        expect(page.get_by_label("Address")).to_have_value("27 Meadow Road\nLeeds")
        assert_accessible(page, "provider edit with a bad URN without JavaScript")

        # Another provider's URN is refused too.
        page.get_by_label("Unique reference number (URN)").fill("mv0001")
        page.get_by_role("button", name="Save").click()
        expect(summary).to_contain_text("A provider with this URN already exists")
        expect(page.get_by_label("Unique reference number (URN)")).to_have_value("MV0001")
        assert_accessible(page, "provider edit with a taken URN without JavaScript")
        assert stored_provider(server, "Meadow View % 27") == [("Meadow View School 27", "MV0027")]

        page.get_by_label("Unique reference number (URN)").fill("MVA027")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Provider saved")
        expect(page).to_have_title("Meadow View Academy 27 – Provider Portal")
        expect(heading).to_have_text("Meadow View Academy 27")
        expect(summary).to_have_count(0)
        expect(page.get_by_label("Unique reference number (URN)")).to_have_value("MVA027")
        assert_accessible(page, "provider saved without JavaScript")
        assert stored_provider(server, "Meadow View % 27") == [("Meadow View Academy 27", "MVA027")]

        page.get_by_role("link", name="Back to providers").click()
        search.fill("academy")
        page.get_by_role("button", name="Search").click()
        expect(results).to_contain_text("Showing 1 to 1 of 1 provider")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Meadow View Academy 27 MVA027")
        expect(page.get_by_role("navigation", name="Pages of results")).to_have_count(0)
        assert_accessible(page, "provider search after the change without JavaScript")
    finally:
        server.stop()
