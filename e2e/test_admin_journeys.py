"""The administrator's console beyond setting up: extend the factual accuracy check
deadline, change and remove a team member, close the event, filter the audit log, invite
an inspector (and send the invitation again), deactivate an account. By keyboard only
(Tab, Shift+Tab, Enter, Space) and with JavaScript off, axe on every page state, and
what was stored and mailed checked."""

from __future__ import annotations

import email
import re
import time
from datetime import date, timedelta
from email.policy import default

import pytest
from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import DEMO_PASSWORD, Server, sign_in
from e2e.keyboard import (
    move_to,
    press_on,
    retype_into,
    sign_in_by_keyboard,
    sign_out_by_keyboard,
    tab_to,
    type_into,
)
from e2e.stored import rows
from portal.clock import format_date

EVENT = "INS-2026-0415"
PORTRAIT = "David inspects early years settings and leads on phonics."
NEW_PASSWORD = "Harbour Lights 204"
WRONG = "The username or password is not correct"


@pytest.fixture
def server(own_server: Server) -> Server:
    # Each test closes the demo event and changes its team: a server of its own.
    return own_server


def new_deadline() -> date:
    """A working day two weeks ahead (the check is due at 5pm on it)."""
    day = date.today() + timedelta(days=14)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def mailed_passwords(server: Server, address: str, count: int) -> list[str]:
    """The passwords the invitation emails to `address` gave, oldest first, once there
    are `count` of them (the mail worker writes them to the outbox)."""
    deadline = time.monotonic() + 20
    found: list[str] = []
    while time.monotonic() < deadline:
        found = []
        for path in sorted((server.data_dir / "outbox").glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=default)
            if message["To"] != address:
                continue
            body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            match = re.search(r"Your password for the .+ is: (\S+)", body)
            if match:
                found.append(match.group(1))
        if len(found) >= count:
            return found
        time.sleep(0.3)
    raise AssertionError(f"{len(found)} invitation password(s) mailed to {address}")


def audit_actions(server: Server, event_ref: str) -> list[str]:
    return [
        action
        for (action,) in rows(
            server,
            "SELECT a.action FROM audit_event a JOIN event e ON a.event = e.id "
            "WHERE e.event_ref = ? ORDER BY a.id",
            event_ref,
        )
    ]


def type_date(page: Page, legend: str, day: date) -> None:
    """Tab through a date's Day, Month and Year, typing over what is there."""
    group = page.get_by_role("group", name=legend)
    for part, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        retype_into(page, group.get_by_label(part), str(value))


def fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


# -- by keyboard only ------------------------------------------------------------------


def test_admin_event_and_users_by_keyboard_only(page: Page, server: Server) -> None:
    heading = page.get_by_role("heading", level=1)
    banner = page.locator(".govuk-notification-banner")
    summary = page.locator(".govuk-error-summary")
    summary_list = page.locator(".govuk-summary-list")
    today = date.today()
    due = new_deadline()

    sign_in_by_keyboard(page, server.url, "admin", DEMO_PASSWORD)
    expect(heading).to_have_text("Administration")
    press_on(page, page.get_by_role("link", name="Events", exact=True))
    type_into(page, page.get_by_label("Search events"), "0415")
    page.keyboard.press("Enter")
    results = page.locator("#results")
    expect(results).to_contain_text("Showing 1 to 1 of 1 event")
    assert_accessible(page, "events found (keyboard)")
    press_on(page, results.get_by_role("link", name=EVENT))
    expect(heading).to_have_text(EVENT)
    assert_accessible(page, "admin event page (keyboard)")

    # The deadline: a day in the past is refused; the summary leads back to the date.
    press_on(page, page.get_by_role("link", name="Extend the factual accuracy check deadline"))
    expect(heading).to_have_text("Extend the factual accuracy check deadline")
    assert_accessible(page, "extend deadline (keyboard)")
    type_date(page, "New deadline", today - timedelta(days=1))
    press_on(page, page.get_by_role("button", name="Extend deadline"))
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The new deadline must be today or in the future")
    assert_accessible(page, "extend deadline with an error (keyboard)")
    press_on(page, summary.get_by_role("link"))
    expect(page.get_by_role("group", name="New deadline").get_by_label("Day")).to_be_focused()
    type_date(page, "New deadline", due)
    press_on(page, page.get_by_role("button", name="Extend deadline"), "Space")
    expect(banner).to_contain_text("Accuracy check deadline extended")
    expect(summary_list).to_contain_text(f"{format_date(due)} at 5:00pm")
    assert_accessible(page, "deadline extended (keyboard)")

    # A team member's pen portrait changed; a second lead refused.
    press_on(page, page.get_by_role("link", name="Change David Okafor OI"))
    expect(heading).to_have_text("Change David Okafor OI")
    assert_accessible(page, "change team member (keyboard)")
    # Within a radio group the arrow keys choose (Tab leaves the group).
    tab_to(page, page.get_by_label("Team inspector"))
    page.keyboard.press("ArrowUp")
    expect(page.get_by_label("Lead inspector")).to_be_checked()
    press_on(page, page.get_by_role("button", name="Save"))
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("This event already has a lead inspector")
    assert_accessible(page, "change team member with an error (keyboard)")
    press_on(page, summary.get_by_role("link"))
    expect(page.get_by_label("Lead inspector")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Team inspector")).to_be_checked()
    retype_into(page, page.get_by_label("Pen portrait"), PORTRAIT)
    press_on(page, page.get_by_role("button", name="Save"))
    expect(banner).to_contain_text("Team member saved")
    team = page.get_by_role("table", name="Ofsted team")
    expect(team).to_contain_text(PORTRAIT)
    assert_accessible(page, "team member saved (keyboard)")

    # Removed, after the confirmation page.
    press_on(page, page.get_by_role("link", name="Remove David Okafor OI"))
    expect(heading).to_have_text("Are you sure you want to remove David Okafor OI from the team?")
    assert_accessible(page, "remove team member (keyboard)")
    press_on(page, page.get_by_role("button", name="Yes - Remove"))
    expect(banner).to_contain_text("Inspector removed from the team")
    expect(team).not_to_contain_text("David Okafor OI")
    assert_accessible(page, "team member removed (keyboard)")

    # Closed: the warning button is a link, which Space presses too.
    press_on(page, page.get_by_role("button", name="Close event"), "Space", max_steps=80)
    expect(heading).to_have_text(f"Are you sure you want to close {EVENT}?")
    assert_accessible(page, "close event (keyboard)")
    press_on(page, page.get_by_role("button", name="Yes - Close event"))
    expect(banner).to_contain_text("Event closed")
    expect(summary_list).to_contain_text("Closed")
    expect(page.get_by_text("This event is closed: nothing on it can be changed.")).to_be_visible()
    expect(page.get_by_role("button", name="Close event")).to_have_count(0)
    expect(
        page.get_by_role("link", name="Extend the factual accuracy check deadline")
    ).to_have_count(0)
    assert_accessible(page, "event closed (keyboard)")
    assert rows(server, "SELECT status FROM event WHERE event_ref = ?", EVENT) == [("closed",)]
    assert audit_actions(server, EVENT)[-4:] == [
        "accuracy check deadline extended",
        "team member changed",
        "team member removed",
        "event closed",
    ]

    # The audit log for the event, then filtered by who and when.
    press_on(page, page.get_by_role("link", name="Audit log for this event"))
    expect(heading).to_have_text("Audit log")
    audit = page.get_by_role("table", name="Audit log, latest first")
    expect(audit.locator("tbody tr").first).to_contain_text("event closed")
    assert_accessible(page, "audit log of an event (keyboard)")
    retype_into(page, page.get_by_label("Event ID"), "")
    type_into(page, page.get_by_label("Username"), "admin")
    type_date(page, "From", today)
    type_date(page, "To", today - timedelta(days=1))
    press_on(page, page.get_by_role("button", name="Filter"))
    expect(summary).to_contain_text("The to date must be the same as or after the from date")
    assert_accessible(page, "audit filter with an error (keyboard)")
    type_date(page, "To", today)
    press_on(page, page.get_by_role("button", name="Filter"))
    expect(summary).to_have_count(0)
    expect(page.get_by_label("Username")).to_have_value("admin")
    who = audit.locator("tbody tr td:nth-child(2)")
    expect(who.first).to_be_visible()
    assert set(who.all_inner_texts()) == {"Sam Lee (admin)"}
    expect(audit).to_contain_text("team member removed")
    expect(audit).to_contain_text("signed in")
    assert_accessible(page, "audit log filtered (keyboard)")
    press_on(page, page.get_by_role("link", name="Clear filters"))
    expect(page.get_by_label("Username")).to_have_value("")
    assert_accessible(page, "audit log, filters cleared (keyboard)")

    # An inspector invited, the invitation sent again: only the second password works.
    shift_to_admin(page)
    press_on(page, page.get_by_role("link", name="Users", exact=True))
    expect(heading).to_have_text("Users")
    assert_accessible(page, "users (keyboard)")
    press_on(page, page.get_by_role("link", name="Create a user"))
    expect(heading).to_have_text("Create a user")
    assert_accessible(page, "create a user (keyboard)")
    type_into(page, page.get_by_label("Full name"), "Nia Hale HMI")
    type_into(page, page.get_by_label("Email address"), "nia.hale@ofsted.example")
    type_into(page, page.get_by_label("Username"), "nia.hale")
    tab_to(page, page.get_by_label("Provider user"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Inspector")).to_be_checked()
    press_on(page, page.get_by_role("button", name="Create user"))
    expect(banner).to_contain_text("User created and invitation emails sent")
    expect(heading).to_have_text("Nia Hale HMI")
    assert_accessible(page, "inspector invited (keyboard)")
    [first] = mailed_passwords(server, "nia.hale@ofsted.example", 1)
    press_on(page, page.get_by_role("button", name="Resend invitation"), "Space")
    expect(banner).to_contain_text("Invitation emails sent again")
    assert_accessible(page, "invitation sent again (keyboard)")
    first, second = mailed_passwords(server, "nia.hale@ofsted.example", 2)
    assert first != second

    # David's account deactivated (Cancel first: nothing changes).
    press_on(page, page.get_by_role("link", name="Back to users"))
    type_into(page, page.get_by_label("Search users"), "david")
    page.keyboard.press("Enter")
    expect(results).to_contain_text("Showing 1 to 1 of 1 user")
    press_on(page, results.get_by_role("link", name="David Okafor OI"))
    expect(summary_list).to_contain_text("Active")
    assert_accessible(page, "an inspector's user page (keyboard)")
    press_on(page, page.get_by_role("button", name="Deactivate account"))
    expect(heading).to_have_text("Are you sure you want to deactivate David Okafor OI’s account?")
    assert_accessible(page, "deactivate account (keyboard)")
    press_on(page, page.get_by_role("link", name="Cancel"))
    expect(heading).to_have_text("David Okafor OI")
    expect(summary_list).to_contain_text("Active")
    press_on(page, page.get_by_role("button", name="Deactivate account"))
    press_on(page, page.get_by_role("button", name="Yes - Deactivate"))
    expect(banner).to_contain_text("Account deactivated")
    expect(summary_list).to_contain_text("Deactivated")
    expect(page.get_by_role("button", name="Resend invitation")).to_have_count(0)
    assert_accessible(page, "account deactivated (keyboard)")
    assert rows(server, "SELECT active FROM portal_user WHERE username = 'inspector'") == [(0,)]
    sign_out_by_keyboard(page)

    sign_in_by_keyboard(page, server.url, "inspector", DEMO_PASSWORD)
    expect(summary).to_contain_text(WRONG)
    assert_accessible(page, "a deactivated account refused (keyboard)")

    # The invited inspector: the first password no longer works, the second does, and
    # they choose their own.
    sign_in_by_keyboard(page, server.url, "nia.hale", first)
    expect(summary).to_contain_text(WRONG)
    sign_in_by_keyboard(page, server.url, "nia.hale", second)
    expect(heading).to_have_text("Choose a new password")
    assert_accessible(page, "invited inspector chooses a password (keyboard)")
    type_into(page, page.get_by_label("New password", exact=True), NEW_PASSWORD)
    type_into(page, page.get_by_label("Confirm new password"), NEW_PASSWORD)
    press_on(page, page.get_by_role("button", name="Save new password"))
    expect(heading).to_have_text("Your inspections")
    assert_accessible(page, "invited inspector's first page (keyboard)")


def shift_to_admin(page: Page) -> None:
    """Back up to the header's link to the console and follow it."""
    move_to(page, page.get_by_role("link", name="Administration", exact=True), max_steps=120)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")


# -- without JavaScript ----------------------------------------------------------------


def test_admin_event_and_users_without_javascript(nojs_page: Page, server: Server) -> None:
    page = nojs_page
    heading = page.get_by_role("heading", level=1)
    banner = page.locator(".govuk-notification-banner")
    summary = page.locator(".govuk-error-summary")
    summary_list = page.locator(".govuk-summary-list")
    today = date.today()
    due = new_deadline()

    sign_in(page, server, "admin")
    page.get_by_role("link", name="Events", exact=True).click()
    page.get_by_label("Search events").fill("0415")
    page.get_by_role("button", name="Search").click()
    page.locator("#results").get_by_role("link", name=EVENT).click()
    expect(heading).to_have_text(EVENT)
    assert_accessible(page, "admin event page without JavaScript")

    page.get_by_role("link", name="Extend the factual accuracy check deadline").click()
    expect(heading).to_have_text("Extend the factual accuracy check deadline")
    assert_accessible(page, "extend deadline without JavaScript")
    page.get_by_role("button", name="Extend deadline").click()
    expect(page).to_have_title(
        "Error: Extend the factual accuracy check deadline – Provider Portal"
    )
    assert_accessible(page, "extend deadline with an error without JavaScript")
    fill_date(page, "New deadline", due)
    page.get_by_role("button", name="Extend deadline").click()
    expect(banner).to_contain_text("Accuracy check deadline extended")
    expect(summary_list).to_contain_text(f"{format_date(due)} at 5:00pm")
    assert_accessible(page, "deadline extended without JavaScript")

    page.get_by_role("link", name="Change David Okafor OI").click()
    expect(heading).to_have_text("Change David Okafor OI")
    assert_accessible(page, "change team member without JavaScript")
    page.get_by_label("Lead inspector").check()
    page.get_by_role("button", name="Save").click()
    expect(summary).to_contain_text("This event already has a lead inspector")
    expect(page).to_have_title("Error: Change David Okafor OI – Provider Portal")
    assert_accessible(page, "change team member with an error without JavaScript")
    page.get_by_label("Team inspector").check()
    page.get_by_label("Pen portrait").fill(PORTRAIT)
    page.get_by_role("button", name="Save").click()
    expect(banner).to_contain_text("Team member saved")
    expect(page.get_by_role("table", name="Ofsted team")).to_contain_text(PORTRAIT)
    assert_accessible(page, "team member saved without JavaScript")
    page.get_by_role("link", name="Remove David Okafor OI").click()
    expect(heading).to_contain_text("Are you sure you want to remove David Okafor OI")
    assert_accessible(page, "remove team member without JavaScript")
    page.get_by_role("button", name="Yes - Remove").click()
    expect(banner).to_contain_text("Inspector removed from the team")
    expect(page.get_by_role("table", name="Ofsted team")).not_to_contain_text("David Okafor")
    assert_accessible(page, "team member removed without JavaScript")

    page.get_by_role("button", name="Close event").click()
    expect(heading).to_have_text(f"Are you sure you want to close {EVENT}?")
    assert_accessible(page, "close event without JavaScript")
    page.get_by_role("button", name="Yes - Close event").click()
    expect(banner).to_contain_text("Event closed")
    expect(summary_list).to_contain_text("Closed")
    assert_accessible(page, "event closed without JavaScript")
    assert rows(server, "SELECT status FROM event WHERE event_ref = ?", EVENT) == [("closed",)]
    # A closed event's team cannot be changed, even by a page opened before.
    page.goto(page.url.split("?")[0] + "/deadline")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "This event is closed: nothing on it can be changed."
    )
    assert_accessible(page, "deadline of a closed event without JavaScript")

    page.goto(f"{server.url}/admin/audit")
    page.get_by_label("Event ID").fill(EVENT)
    fill_date(page, "From", today)
    fill_date(page, "To", today)
    page.get_by_role("button", name="Filter").click()
    assert f"event_ref={EVENT}" in page.url
    audit = page.get_by_role("table", name="Audit log, latest first")
    events = audit.locator("tbody tr td:nth-child(4)")
    expect(events.first).to_have_text(EVENT)
    assert set(events.all_inner_texts()) == {EVENT}
    expect(audit.locator("tbody tr").first).to_contain_text("event closed")
    assert_accessible(page, "audit log filtered without JavaScript")
    page.get_by_label("Username").fill("nobody.here")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#results")).to_contain_text("No entries found")
    assert_accessible(page, "audit log, nothing found, without JavaScript")
    page.get_by_role("link", name="Clear filters").click()
    expect(page.get_by_label("Event ID")).to_have_value("")

    page.goto(f"{server.url}/admin/users/new")
    expect(heading).to_have_text("Create a user")
    page.get_by_label("Full name").fill("Nia Hale HMI")
    page.get_by_label("Email address").fill("nia.hale@ofsted.example")
    page.get_by_label("Username").fill("nia.hale")
    page.get_by_label("Inspector").check()
    assert_accessible(page, "create a user without JavaScript")
    page.get_by_role("button", name="Create user").click()
    expect(banner).to_contain_text("User created and invitation emails sent")
    assert_accessible(page, "inspector invited without JavaScript")
    page.get_by_role("button", name="Resend invitation").click()
    expect(banner).to_contain_text("Invitation emails sent again")
    assert_accessible(page, "invitation sent again without JavaScript")
    first, second = mailed_passwords(server, "nia.hale@ofsted.example", 2)

    page.get_by_role("link", name="Back to users").click()
    page.get_by_label("Search users").fill("david")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results")).to_contain_text("Showing 1 to 1 of 1 user")
    assert_accessible(page, "users found without JavaScript")
    page.locator("#results").get_by_role("link", name="David Okafor OI").click()
    expect(heading).to_have_text("David Okafor OI")
    assert_accessible(page, "an inspector's user page without JavaScript")
    page.get_by_role("button", name="Deactivate account").click()
    expect(heading).to_contain_text("Are you sure you want to deactivate David Okafor OI")
    assert_accessible(page, "deactivate account without JavaScript")
    page.get_by_role("button", name="Yes - Deactivate").click()
    expect(banner).to_contain_text("Account deactivated")
    expect(summary_list).to_contain_text("Deactivated")
    assert_accessible(page, "account deactivated without JavaScript")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, server, "inspector")
    expect(summary).to_contain_text(WRONG)
    assert_accessible(page, "a deactivated account refused without JavaScript")
    sign_in(page, server, "nia.hale", first)
    expect(summary).to_contain_text(WRONG)
    sign_in(page, server, "nia.hale", second)
    expect(heading).to_have_text("Choose a new password")
    assert_accessible(page, "invited inspector chooses a password without JavaScript")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(heading).to_have_text("Your inspections")
    assert_accessible(page, "invited inspector's first page without JavaScript")
