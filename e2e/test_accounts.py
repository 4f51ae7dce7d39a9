"""Accounts end to end: the invitation emails → first sign-in → a new password, and the
'Forgotten or change password' flow, reading the mail from the server's outbox; by
mouse, by keyboard only and with JavaScript off, with axe on every screen."""

from __future__ import annotations

import email
import re
import time
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import Server, run_cli
from e2e.keyboard import tab_to, type_into

NEW_PASSWORD = "Kestrel42 nest"
IDENTITY = "If your identity cannot be verified, contact your inspection support administrator"


def create_user(server: Server, username: str) -> None:
    run_cli(
        server,
        *("create-user", "--username", username, "--email", f"{username}@oakfield.example"),
        *("--display-name", "Ada Brown", "--role", "provider", "--provider-urn", "131415"),
    )


def mail_to(server: Server, address: str, count: int) -> list[EmailMessage]:
    """The mails to `address` in the outbox, oldest first, once there are `count`."""
    outbox: Path = server.data_dir / "outbox"
    deadline = time.monotonic() + 20
    while True:
        found = []
        for path in sorted(outbox.glob("*.eml")) if outbox.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=default)
            if message["To"] == address:
                found.append(message)
        if len(found) >= count or time.monotonic() > deadline:
            assert len(found) >= count, f"{len(found)} mail(s) to {address}"
            return found  # type: ignore[return-value]
        time.sleep(0.2)


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def invitation(server: Server, username: str) -> str:
    """Create the user; check the two emails; return the initial password."""
    create_user(server, username)
    first, second = mail_to(server, f"{username}@oakfield.example", 2)
    assert f"Your username is: {username}" in text_of(first)
    assert re.search(r"https?://\S+/sign-in", text_of(first))
    match = re.search(r"Your password for the Provider Portal is: (\S+)", text_of(second))
    assert match
    return match.group(1)


def reset_code(server: Server, username: str, count: int) -> str:
    mails = mail_to(server, f"{username}@oakfield.example", count)
    match = re.search(r"Your code is: (\S+)", text_of(mails[count - 1]))
    assert match
    return match.group(1)


def test_invitation_first_sign_in_and_new_password(page: Page, module_server: Server) -> None:
    server = module_server
    password = invitation(server, "ada.brown")
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Username").fill("ada.brown")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    expect(page.get_by_text("at least one capital letter")).to_be_visible()  # before typing
    assert_accessible(page, "choose a new password")

    # Anything else leads back here until it is done.
    page.goto(f"{server.url}/events")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")

    # Checked live as the user types; show/hide; paste allowed.
    new_password = page.get_by_label("New password", exact=True)
    new_password.press_sequentially("ada.brown", delay=20)
    expect(page.locator("#password-rules")).to_contain_text("Not met")
    expect(page.locator("#portal-live")).to_contain_text("Your password still needs")
    expect(new_password).to_be_focused()  # the check does not move focus
    assert_accessible(page, "new password rules, not met")
    page.get_by_role("button", name="Show password").first.click()
    expect(new_password).to_have_attribute("type", "text")
    new_password.fill(NEW_PASSWORD)
    new_password.press("End")  # a keyup, as after pasting
    expect(page.locator("#password-rules")).not_to_contain_text("Not met")
    expect(page.locator("#portal-live")).to_have_text("Your password meets every rule")
    page.get_by_label("Confirm new password").fill("Something else 9")
    page.get_by_role("button", name="Save new password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("do not match")
    assert_accessible(page, "new password with an error")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Oakfield Primary School", timeout=15_000
    )
    assert_accessible(page, "first page after the new password")

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Username").fill("ada.brown")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Oakfield Primary School", timeout=15_000
    )


def test_invitation_without_javascript(nojs_page: Page, module_server: Server) -> None:
    page, server = nojs_page, module_server
    password = invitation(server, "ben.nojs")
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Username").fill("ben.nojs")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page, "choose a new password without JavaScript")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    page.get_by_role("button", name="Save new password").click()
    expect(page).to_have_title("Error: Choose a new password – Provider Portal")
    expect(page.locator(".govuk-error-summary")).to_contain_text("at least 8 characters")
    assert_accessible(page, "new password error without JavaScript")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Oakfield Primary School", timeout=15_000
    )
    assert_accessible(page, "first page without JavaScript")


def _tab_to(page: Page, predicate: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate):
            return
    raise AssertionError(f"never reached {predicate}")


def test_forgotten_password_by_keyboard(page: Page, module_server: Server) -> None:
    server = module_server
    invitation(server, "cara.keys")
    page.goto(f"{server.url}/sign-in")
    _tab_to(page, "document.activeElement.textContent.trim() === 'Forgotten or change password'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgotten or change password")
    expect(page.get_by_text(IDENTITY)).to_be_visible()
    assert_accessible(page, "forgotten password: username")
    _tab_to(page, "document.activeElement.id === 'username'")
    page.keyboard.type("cara.keys")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_text(IDENTITY)).to_be_visible()
    assert_accessible(page, "forgotten password: enter the code")

    code = reset_code(server, "cara.keys", 3)
    _tab_to(page, "document.activeElement.id === 'code'")
    page.keyboard.type("WRONG-999")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not correct")
    assert_accessible(page, "forgotten password: wrong code")
    tab_to(page, page.get_by_label("Code", exact=True))
    page.keyboard.press("Control+A")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Password Reset")
    expect(page.get_by_text(IDENTITY)).to_be_visible()
    assert_accessible(page, "Password Reset screen")

    _tab_to(page, "document.activeElement.id === 'new_password'")
    page.keyboard.type(NEW_PASSWORD, delay=10)
    expect(page.locator("#portal-live")).to_have_text("Your password meets every rule")
    assert_accessible(page, "Password Reset with the rule met")
    _tab_to(page, "document.activeElement.id === 'confirm_password'")
    page.keyboard.type(NEW_PASSWORD)
    _tab_to(page, "document.activeElement.textContent.trim() === 'Next'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is now reset")
    assert_accessible(page, "password is now reset")
    _tab_to(page, "document.activeElement.textContent.trim() === 'Click here'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the Provider Portal")
    type_into(page, page.get_by_label("Username"), "cara.keys")
    type_into(page, page.get_by_label("Password", exact=True), NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Oakfield Primary School", timeout=15_000
    )


def test_forgotten_password_without_javascript(nojs_page: Page, module_server: Server) -> None:
    page, server = nojs_page, module_server
    invitation(server, "dev.nojs")
    page.goto(f"{server.url}/sign-in")
    page.get_by_role("link", name="Forgotten or change password").click()
    assert_accessible(page, "forgotten password without JavaScript")
    page.get_by_label("Username").fill("dev.nojs")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page, "enter the code without JavaScript")
    code = reset_code(server, "dev.nojs", 3)
    # The link in the email opens the page with the code filled in.
    mails = mail_to(server, "dev.nojs@oakfield.example", 3)
    link = re.search(r"open this link: (\S+)", text_of(mails[2]))
    assert link
    path = link.group(1).split("/", 3)[3]
    page.goto(f"{server.url}/{path}")
    expect(page.get_by_label("Code", exact=True)).to_have_value(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password Reset")
    assert_accessible(page, "Password Reset without JavaScript")
    page.get_by_label("New password", exact=True).fill("password")
    page.get_by_label("Confirm new password").fill("password")
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "Password Reset error without JavaScript")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is now reset")
    assert_accessible(page, "password reset done without JavaScript")
    page.get_by_role("link", name="Click here").click()
    page.get_by_label("Username").fill("dev.nojs")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Oakfield Primary School", timeout=15_000
    )
