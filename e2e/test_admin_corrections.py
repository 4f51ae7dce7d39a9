"""The administrator corrects mistakes: a mistyped email address, a deactivated account
reactivated (the person signs in again with their password), an event's type and dates
(the provider's profile shows them), a closed event reopened, and a username suggested
from the name. By mouse, by keyboard only (Tab, Shift+Tab, Enter, Space) and with
JavaScript off; axe on every page state, and what was stored checked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import DEMO_PASSWORD, Server, sign_in
from e2e.keyboard import press_on, retype_into, sign_in_by_keyboard, sign_out_by_keyboard
from e2e.stored import rows
from portal.clock import format_date

EVENT = "INS-2026-0415"
VISIT = "VIS-2026-0078"


@pytest.fixture
def server(own_server: Server) -> Server:
    # Each test changes demo accounts and events: a server of its own.
    return own_server


def stored_user(server: Server, username: str) -> tuple[str, str, int]:
    [row] = rows(
        server,
        "SELECT display_name, email, active FROM portal_user WHERE username = ?",
        username,
    )
    return row


def stored_event(server: Server, ref: str) -> tuple[str, str, str, str]:
    [row] = rows(
        server,
        "SELECT event_type, start_date, end_date, status FROM event WHERE event_ref = ?",
        ref,
    )
    return row


def audited(server: Server, action: str) -> list[str]:
    found = rows(server, "SELECT detail FROM audit_event WHERE action = ? ORDER BY id", action)
    return [detail for (detail,) in found]


def fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def type_date(page: Page, legend: str, day: date) -> None:
    """Tab through a date's Day, Month and Year, typing over what is there."""
    group = page.get_by_role("group", name=legend)
    for part, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        retype_into(page, group.get_by_label(part), str(value))


# -- by mouse -----------------------------------------------------------------------------


def test_admin_corrects_an_email_and_reactivates_by_mouse(page: Page, server: Server) -> None:
    heading = page.get_by_role("heading", level=1)
    banner = page.locator(".govuk-notification-banner")
    summary = page.locator(".govuk-error-summary")
    sign_in(page, server, "admin")
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_label("Search users").fill("provider2")
    page.get_by_role("button", name="Search").click()
    page.locator("#results").get_by_role("link", name="Tom Evans").click()
    expect(heading).to_have_text("Tom Evans")
    assert_accessible(page, "user page")

    # A mistyped address: Change, a wrong one refused, then the right one.
    page.get_by_role("link", name="Change email address").click()
    expect(heading).to_have_text("Change name or email address")
    assert_accessible(page, "change name or email address")
    page.get_by_label("Email address").fill("tom.evans@littleacorns")
    page.get_by_role("button", name="Save changes").click()
    expect(summary).to_contain_text("Enter an email address in the correct format")
    assert_accessible(page, "change email address with an error")
    page.get_by_label("Email address").fill("tom.evans@little-acorns.example")
    page.get_by_role("button", name="Save changes").click()
    expect(banner).to_contain_text("Name and email address saved")
    expect(page.locator(".govuk-summary-list")).to_contain_text("tom.evans@little-acorns.example")
    assert_accessible(page, "user page after the change")
    assert stored_user(server, "provider2") == ("Tom Evans", "tom.evans@little-acorns.example", 1)
    assert audited(server, "account changed") == [
        "provider2: email address tom.evans@littleacorns.example → tom.evans@little-acorns.example"
    ]

    # Deactivated by mistake, then reactivated: the password they had still works.
    page.get_by_role("button", name="Deactivate account").click()
    page.get_by_role("button", name="Yes - Deactivate").click()
    expect(banner).to_contain_text("Account deactivated")
    assert_accessible(page, "a deactivated user")
    page.get_by_role("button", name="Reactivate account").click()
    expect(heading).to_have_text("Are you sure you want to reactivate Tom Evans’s account?")
    assert_accessible(page, "reactivate confirmation")
    page.get_by_role("button", name="Yes - Reactivate").click()
    expect(banner).to_contain_text("Account reactivated")
    expect(page.get_by_role("button", name="Deactivate account")).to_be_visible()
    assert_accessible(page, "user page after reactivation")
    assert stored_user(server, "provider2")[2] == 1
    assert audited(server, "account reactivated") == ["provider2"]

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, "provider2", DEMO_PASSWORD)
    expect(heading).not_to_have_text("Sign in")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    assert_accessible(page, "the reactivated user signed in")


def test_create_user_suggests_a_username_by_mouse(page: Page, server: Server) -> None:
    sign_in(page, server, "admin")
    page.goto(f"{server.url}/admin/users/new")
    assert_accessible(page, "create a user")
    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Email address").click()  # leaving the name asks for a username
    suggestion = page.locator("#username-suggestion")
    expect(suggestion).to_have_text("If you leave it blank, their username will be priya.shah.")
    expect(page.get_by_label("Username")).to_have_value("")
    assert_accessible(page, "create a user with a suggested username")
    page.get_by_label("Email address").fill("p.shah@ofsted.example")
    page.get_by_label("Inspector").check()
    page.get_by_role("button", name="Create user").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Their username is priya.shah"
    )
    assert_accessible(page, "user created with the suggested username")
    # The demo's provider user is "provider", so priya.shah was free; a second is not.
    page.goto(f"{server.url}/admin/users/new")
    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Email address").click()
    expect(suggestion).to_contain_text("their username will be priya.shah2")
    page.get_by_label("Username").fill("p.shah")  # typed: no suggestion is needed
    page.get_by_label("Full name").fill("Priya Shah-Jones")
    page.get_by_label("Email address").click()
    expect(suggestion).to_have_text("")
    expect(page.get_by_label("Username")).to_have_value("p.shah")


# -- by keyboard only ---------------------------------------------------------------------


def test_admin_corrects_an_event_and_reopens_it_by_keyboard_only(
    page: Page, server: Server
) -> None:
    heading = page.get_by_role("heading", level=1)
    banner = page.locator(".govuk-notification-banner")
    summary = page.locator(".govuk-error-summary")
    start = date.today() + timedelta(days=21)

    sign_in_by_keyboard(page, server.url, "admin", DEMO_PASSWORD)
    press_on(page, page.get_by_role("link", name="Events", exact=True))
    press_on(page, page.locator("#results").get_by_role("link", name=VISIT))
    expect(heading).to_have_text(VISIT)

    # Type and dates: an end before the start is refused; then a one-day inspection.
    press_on(page, page.get_by_role("link", name="Change dates"))
    expect(heading).to_have_text("Change event type or dates")
    assert_accessible(page, "change event type or dates (keyboard)")
    type_date(page, "Start date", start)
    type_date(page, "End date", start - timedelta(days=1))
    press_on(page, page.get_by_role("button", name="Save changes"))
    expect(summary).to_contain_text("The end date must be the same as or after the start date")
    assert_accessible(page, "event dates with an error (keyboard)")
    press_on(page, summary.get_by_role("link", name="The end date must be"))
    expect(page.get_by_role("group", name="End date").get_by_label("Day")).to_be_focused()
    type_date(page, "End date", start)
    press_on(page, page.get_by_role("button", name="Save changes"))
    expect(banner).to_contain_text("Event type and dates saved")
    summary_list = page.locator(".govuk-summary-list")
    expect(summary_list).to_contain_text(format_date(start))
    assert_accessible(page, "event page after the change (keyboard)")
    assert stored_event(server, VISIT) == ("visit", start.isoformat(), start.isoformat(), "open")

    # Closed by mistake, then reopened.
    press_on(page, page.get_by_role("button", name="Close event"), "Space", max_steps=120)
    press_on(page, page.get_by_role("button", name="Yes - Close event"))
    expect(banner).to_contain_text("Event closed")
    expect(page.get_by_role("link", name="Change dates")).to_have_count(0)
    assert_accessible(page, "closed event (keyboard)")
    press_on(page, page.get_by_role("button", name="Reopen event"), "Space", max_steps=120)
    expect(heading).to_have_text(f"Are you sure you want to reopen {VISIT}?")
    assert_accessible(page, "reopen confirmation (keyboard)")
    press_on(page, page.get_by_role("button", name="Yes - Reopen event"))
    expect(banner).to_contain_text("Event reopened")
    expect(page.get_by_role("button", name="Close event")).to_be_visible()
    assert_accessible(page, "reopened event (keyboard)")
    assert stored_event(server, VISIT)[3] == "open"
    assert len(audited(server, "event reopened")) == 1
    sign_out_by_keyboard(page)


# -- without JavaScript -------------------------------------------------------------------


def test_admin_corrections_without_javascript(nojs_page: Page, server: Server) -> None:
    page = nojs_page
    heading = page.get_by_role("heading", level=1)
    banner = page.locator(".govuk-notification-banner")
    summary = page.locator(".govuk-error-summary")
    sign_in(page, server, "admin")

    # The event: dates corrected (a missing year refused first), closed, reopened.
    page.goto(f"{server.url}/admin/events")
    page.locator("#results").get_by_role("link", name=EVENT).click()
    page.get_by_role("link", name="Change event type").click()
    assert_accessible(page, "change event type or dates without JavaScript")
    start = date.today() + timedelta(days=7)
    fill_date(page, "Start date", start)
    page.get_by_role("group", name="End date").get_by_label("Year").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(summary).to_contain_text("End date must include a year")
    assert_accessible(page, "event dates with an error without JavaScript")
    fill_date(page, "End date", start + timedelta(days=1))
    page.get_by_label("Visit").check()
    page.get_by_role("button", name="Save changes").click()
    expect(banner).to_contain_text("Event type and dates saved")
    assert_accessible(page, "event page after the change without JavaScript")
    assert stored_event(server, EVENT)[:3] == (
        "visit",
        start.isoformat(),
        (start + timedelta(days=1)).isoformat(),
    )
    # The profile page (kept once rendered) shows the new dates at once.
    page.get_by_role("link", name="View the event’s profile page").click()
    expect(page.locator("main")).to_contain_text(format_date(start + timedelta(days=1)))
    assert_accessible(page, "profile after the date change without JavaScript")
    page.goto(f"{server.url}/admin/events")
    page.locator("#results").get_by_role("link", name=EVENT).click()
    page.get_by_role("button", name="Close event").click()
    page.get_by_role("button", name="Yes - Close event").click()
    page.get_by_role("button", name="Reopen event").click()
    assert_accessible(page, "reopen confirmation without JavaScript")
    page.get_by_role("button", name="Yes - Reopen event").click()
    expect(banner).to_contain_text("Event reopened")
    assert stored_event(server, EVENT)[3] == "open"

    # A person: name corrected; deactivated and reactivated.
    page.goto(f"{server.url}/admin/users?q=inspector")
    page.locator("#results").get_by_role("link", name="David Okafor OI").click()
    page.get_by_role("link", name="Change name").click()
    page.get_by_label("Full name").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(summary).to_contain_text("Enter the person’s name")
    assert_accessible(page, "change name with an error without JavaScript")
    page.get_by_label("Full name").fill("David Okafor HMI")
    page.get_by_role("button", name="Save changes").click()
    expect(heading).to_have_text("David Okafor HMI")
    expect(banner).to_contain_text("Name and email address saved")
    page.get_by_role("button", name="Deactivate account").click()
    page.get_by_role("button", name="Yes - Deactivate").click()
    page.get_by_role("button", name="Reactivate account").click()
    assert_accessible(page, "reactivate confirmation without JavaScript")
    page.get_by_role("button", name="Yes - Reactivate").click()
    expect(banner).to_contain_text("Account reactivated")
    assert_accessible(page, "user page after reactivation without JavaScript")
    assert stored_user(server, "inspector")[0::2] == ("David Okafor HMI", 1)

    # A new user with the username left blank: made from the name on save.
    page.goto(f"{server.url}/admin/users/new")
    page.get_by_label("Full name").fill("Helen Carter")
    page.get_by_label("Inspector").check()
    page.get_by_role("button", name="Create user").click()
    expect(summary).to_contain_text("Enter an email address")
    expect(page.get_by_label("Username")).to_have_value("helen.carter")
    assert_accessible(page, "create a user with a suggested username without JavaScript")
    page.get_by_label("Email address").fill("helen.carter2@ofsted.example")
    page.get_by_role("button", name="Create user").click()
    expect(banner).to_contain_text("Their username is helen.carter")
    assert rows(server, "SELECT 1 FROM portal_user WHERE username = 'helen.carter'")

    # The audit log says what changed, in words.
    page.goto(f"{server.url}/admin/audit")
    log = page.locator("#results")
    expect(log).to_contain_text("inspector: name David Okafor OI → David Okafor HMI")
    expect(log).to_contain_text("event reopened")
    assert_accessible(page, "audit log without JavaScript")
