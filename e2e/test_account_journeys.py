"""A signed-in user changes their password; wrong passwords lock an account and the
administrator unlocks it. Each by keyboard only (Tab, Shift+Tab, Enter, Space) and with
JavaScript off, axe on every page state, and what was stored checked."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import DEMO_PASSWORD, Server, sign_in
from e2e.keyboard import (
    move_to,
    press_on,
    sign_in_by_keyboard,
    sign_out_by_keyboard,
    tab_to,
    type_into,
)
from e2e.stored import rows

NEW_PASSWORD = "Copper Kettle 58"
LOCKED = "Your account is locked after 5 wrong passwords in a row"
WRONG = "The username or password is not correct"


@pytest.fixture(scope="module")
def server(module_server: Server) -> Server:
    # One server for the module: each test changes a different demo account.
    return module_server


def lock_state(server: Server, username: str) -> tuple[int, bool]:
    """(failed attempts counted, locked) as stored."""
    [(failed, locked_until)] = rows(
        server, "SELECT failed_attempts, locked_until FROM portal_user WHERE username = ?", username
    )
    return failed, locked_until is not None


# -- change password ------------------------------------------------------------------


def test_change_password_by_keyboard_only(page: Page, server: Server) -> None:
    heading = page.get_by_role("heading", level=1)
    summary = page.locator(".govuk-error-summary")
    sign_in_by_keyboard(page, server.url, "provider", DEMO_PASSWORD)
    expect(heading).to_have_text("Oakfield Primary School")

    # From the header's navigation: a link the keyboard reaches from the top of the page.
    press_on(page, page.get_by_role("link", name="Change password"))
    expect(heading).to_have_text("Change your password")
    expect(page).to_have_title("Change your password – Provider Portal")
    assert_accessible(page, "change password (keyboard)")

    # A wrong current password: the summary takes the focus; its link leads to the field.
    type_into(page, page.get_by_label("Current password"), "not my password")
    type_into(page, page.get_by_label("New password", exact=True), NEW_PASSWORD)
    type_into(page, page.get_by_label("Confirm new password"), NEW_PASSWORD)
    press_on(page, page.get_by_role("button", name="Change password"))
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Your current password is not correct")
    expect(page).to_have_title("Error: Change your password – Provider Portal")
    assert_accessible(page, "change password, wrong current password (keyboard)")
    tab_to(page, summary.get_by_role("link", name="Your current password is not correct"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Current password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    type_into(page, page.get_by_label("New password", exact=True), NEW_PASSWORD)
    expect(page.locator("#portal-live")).to_have_text("Your password meets every rule")
    type_into(page, page.get_by_label("Confirm new password"), NEW_PASSWORD)
    # Space presses a button as Enter does.
    press_on(page, page.get_by_role("button", name="Change password"), key="Space")
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text(
        "Your password has been changed. You have been signed out everywhere else."
    )
    assert_accessible(page, "password changed (keyboard)")

    # The new password signs in; the old one no longer does.
    sign_out_by_keyboard(page)
    assert_accessible(page, "signed out (keyboard)")
    sign_in_by_keyboard(page, server.url, "provider", DEMO_PASSWORD)
    expect(summary).to_contain_text(WRONG)
    assert_accessible(page, "old password refused (keyboard)")
    sign_in_by_keyboard(page, server.url, "provider", NEW_PASSWORD)
    expect(heading).to_have_text("Oakfield Primary School")


def test_change_password_without_javascript(nojs_page: Page, server: Server) -> None:
    page = nojs_page
    heading = page.get_by_role("heading", level=1)
    summary = page.locator(".govuk-error-summary")
    sign_in(page, server, "inspector")
    expect(heading).to_have_text("Your inspections")
    page.get_by_role("link", name="Change password").click()
    expect(heading).to_have_text("Change your password")
    assert_accessible(page, "change password without JavaScript")

    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_title("Error: Change your password – Provider Portal")
    expect(summary).to_contain_text("Enter your current password")
    assert_accessible(page, "change password, nothing typed, without JavaScript")

    page.get_by_label("Current password").fill(DEMO_PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill("Copper Kettle 59")
    page.get_by_role("button", name="Change password").click()
    expect(summary).to_contain_text("do not match")
    assert_accessible(page, "change password, not matching, without JavaScript")

    page.get_by_label("Current password").fill(DEMO_PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your password has been changed"
    )
    assert_accessible(page, "password changed without JavaScript")
    page.get_by_role("button", name="Sign out").click()
    expect(heading).to_have_text("You have signed out")
    sign_in(page, server, "inspector", NEW_PASSWORD)
    expect(heading).to_have_text("Your inspections")


# -- lockout, and the administrator's unlock ------------------------------------------


def test_lockout_and_unlock_by_keyboard_only(page: Page, server: Server) -> None:
    heading = page.get_by_role("heading", level=1)
    summary = page.locator(".govuk-error-summary")
    for attempt in range(1, 6):
        sign_in_by_keyboard(page, server.url, "provider2", f"wrong guess {attempt}")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text(LOCKED if attempt == 5 else WRONG)
        if attempt == 1:
            assert_accessible(page, "wrong password (keyboard)")
    assert_accessible(page, "account locked (keyboard)")
    assert lock_state(server, "provider2") == (0, True)
    # While locked, even the right password is refused.
    sign_in_by_keyboard(page, server.url, "provider2", DEMO_PASSWORD)
    expect(summary).to_contain_text(LOCKED)
    expect(page.get_by_label("Username")).to_have_value("provider2")

    sign_in_by_keyboard(page, server.url, "admin", DEMO_PASSWORD)
    expect(heading).to_have_text("Administration")
    assert_accessible(page, "administration (keyboard)")
    press_on(page, page.get_by_role("link", name="Users", exact=True))
    expect(heading).to_have_text("Users")
    assert_accessible(page, "users (keyboard)")
    type_into(page, page.get_by_label("Search users"), "provider2")
    page.keyboard.press("Enter")
    results = page.locator("#results")
    expect(results).to_contain_text("Showing 1 to 1 of 1 user")
    assert_accessible(page, "users found (keyboard)")
    press_on(page, results.get_by_role("link", name="Tom Evans"))
    expect(heading).to_have_text("Tom Evans")
    status = page.locator(".govuk-summary-list__row", has_text="Status")
    expect(status).to_contain_text("Locked after too many failed sign-ins")
    assert_accessible(page, "locked user (keyboard)")
    press_on(page, page.get_by_role("button", name="Unlock account"), key="Space")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Account unlocked")
    expect(status).to_contain_text("Active")
    expect(page.get_by_role("button", name="Unlock account")).to_have_count(0)
    assert_accessible(page, "user unlocked (keyboard)")
    assert lock_state(server, "provider2") == (0, False)
    sign_out_by_keyboard(page)

    sign_in_by_keyboard(page, server.url, "provider2", DEMO_PASSWORD)
    expect(heading).to_have_text("Little Acorns Nursery")
    move_to(page, page.get_by_role("button", name="Sign out"))
    expect(page.get_by_role("button", name="Sign out")).to_be_focused()


def test_lockout_and_unlock_without_javascript(nojs_page: Page, server: Server) -> None:
    page = nojs_page
    heading = page.get_by_role("heading", level=1)
    summary = page.locator(".govuk-error-summary")
    for attempt in range(1, 6):
        sign_in(page, server, "lead.inspector", f"wrong guess {attempt}")
        expect(summary).to_contain_text(LOCKED if attempt == 5 else WRONG)
        if attempt == 1:
            assert_accessible(page, "wrong password without JavaScript")
    expect(page).to_have_title("Error: Sign in – Provider Portal")
    assert_accessible(page, "account locked without JavaScript")
    assert lock_state(server, "lead.inspector") == (0, True)
    sign_in(page, server, "lead.inspector")
    expect(summary).to_contain_text(LOCKED)

    sign_in(page, server, "admin")
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_label("Search users").fill("helen")
    page.get_by_role("button", name="Search").click()
    assert "q=helen" in page.url
    expect(page.locator("#results")).to_contain_text("Showing 1 to 1 of 1 user")
    assert_accessible(page, "users found without JavaScript")
    page.locator("#results").get_by_role("link", name="Helen Carter HMI").click()
    status = page.locator(".govuk-summary-list__row", has_text="Status")
    expect(status).to_contain_text("Locked after too many failed sign-ins")
    assert_accessible(page, "locked user without JavaScript")
    page.get_by_role("button", name="Unlock account").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Account unlocked")
    expect(status).to_contain_text("Active")
    assert_accessible(page, "user unlocked without JavaScript")
    assert lock_state(server, "lead.inspector") == (0, False)

    # The audit log names the lock and the unlock.
    page.get_by_role("link", name="Audit log of this user’s actions").click()
    expect(page.locator("#results")).to_contain_text("account locked")
    assert_accessible(page, "the user's audit log without JavaScript")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, "lead.inspector")
    expect(heading).to_have_text("Your inspections")
