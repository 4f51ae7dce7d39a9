"""The idle timeout in the browser: the GOV.UK / HMRC "you're about to be signed out"
warning (focus moved into it, keyboard operable, Escape or 'Stay signed in' keeps the
session, 'Sign out' signs out), and the end itself landing on sign-in with the reason,
with JavaScript and without. Servers with short timeouts (settings), so nothing waits
30 minutes: the warning's server has 125 s idle and warns 120 s ahead (the warning
shows 5 s after a page); the expiry's server has 6 s idle and warns 4 s ahead."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import Server, sign_in, start_server
from e2e.keyboard import tab_to

WARNING = "You’re about to be signed out"


@pytest.fixture(scope="module")
def warning_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(
        Path(tmp_path_factory.mktemp("e2e-timeout-warning")),
        {"PORTAL_SESSION_IDLE_SECONDS": "125", "PORTAL_SESSION_WARNING_SECONDS": "120"},
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def short_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(
        Path(tmp_path_factory.mktemp("e2e-timeout-short")),
        {"PORTAL_SESSION_IDLE_SECONDS": "6", "PORTAL_SESSION_WARNING_SECONDS": "4"},
    )
    yield running
    running.stop()


def test_the_warning_by_keyboard(page: Page, warning_server: Server) -> None:
    sign_in(page, warning_server, "provider")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    dialog = page.get_by_role("dialog", name=WARNING)
    expect(dialog).to_be_hidden()
    assert_accessible(page, "profile page, warning not yet shown")

    # The warning opens by itself, modal, with focus on its heading (read out with the
    # dialog's name and description), counting down.
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog.get_by_role("heading", name=WARNING)).to_be_focused()
    expect(dialog).to_contain_text("For your security, we will sign you out in")
    expect(dialog.locator(".portal-timeout__countdown")).to_have_text(re.compile(r"^2 minutes$"))
    assert_accessible(page, "timeout warning open")

    # Keyboard only: Tab reaches 'Stay signed in'; Enter keeps the session.
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    with page.expect_response(lambda r: r.url.endswith("/account/keep-alive")) as kept:
        page.keyboard.press("Enter")
    assert kept.value.status == 204
    expect(dialog).to_be_hidden()
    expect(page.locator("#portal-live")).to_have_text("You are still signed in")
    assert_accessible(page, "warning closed after staying signed in")

    # It comes back 5 s later (the 125 s started again); Escape also keeps the session.
    expect(dialog).to_be_visible(timeout=15_000)
    with page.expect_response(lambda r: r.url.endswith("/account/keep-alive")) as kept:
        page.keyboard.press("Escape")
    assert kept.value.status == 204
    expect(dialog).to_be_hidden()

    # And 'Sign out' in it signs out.
    expect(dialog).to_be_visible(timeout=15_000)
    tab_to(page, dialog.get_by_role("button", name="Sign out"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")


def test_the_warning_by_mouse_keeps_the_work_on_the_page(
    page: Page, warning_server: Server
) -> None:
    sign_in(page, warning_server, "provider")
    page.get_by_role("link", name="Survey").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("survey", ignore_case=True)
    dialog = page.get_by_role("dialog", name=WARNING)
    expect(dialog).to_be_visible(timeout=15_000)
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    # Still signed in, on the same page: nothing reloaded.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("survey", ignore_case=True)


def test_the_end_lands_on_sign_in_saying_why(page: Page, short_server: Server) -> None:
    sign_in(page, short_server, "provider")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    expect(page.get_by_role("dialog", name=WARNING)).to_be_visible(timeout=10_000)
    # Nothing pressed: at the end the page moves to sign-in, which says why.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign in to the Provider Portal", timeout=15_000
    )
    banner = page.get_by_role("region", name="Important")
    expect(banner).to_contain_text(
        "You have been signed out because you have not used the service for 6 seconds"
    )
    assert "signed-out=idle" in page.url
    assert_accessible(page, "sign-in page after the idle timeout")
    # Signing in again goes back to where the user was.
    page.get_by_label("Username").fill("provider")
    page.get_by_label("Password", exact=True).fill("Portal2026demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")


def test_without_javascript_the_server_signs_out_alone(
    nojs_page: Page, short_server: Server
) -> None:
    page = nojs_page
    sign_in(page, short_server, "provider")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    # No warning without JavaScript (the dialog stays closed), and nothing is lost by it.
    expect(page.get_by_role("dialog", name=WARNING)).to_be_hidden()
    assert_accessible(page, "profile page without JavaScript")
    time.sleep(7)  # a real browser cannot be given the server's clock: the 6 s pass
    page.get_by_role("link", name="Survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the Provider Portal")
    expect(page.get_by_role("region", name="Important")).to_contain_text(
        "You have been signed out because you have not used the service for 6 seconds"
    )
    assert "signed-out=idle" in page.url and "next=" in page.url
    assert_accessible(page, "sign-in page after the idle timeout, no JavaScript")
    page.get_by_label("Username").fill("provider")
    page.get_by_label("Password", exact=True).fill("Portal2026demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("survey", ignore_case=True)


def test_stay_signed_in_pressed_too_late_lands_on_sign_in_saying_why(
    page: Page, short_server: Server
) -> None:
    """The page's clock is held (a laptop asleep, a throttled tab) while the server's
    session ends: 'Stay signed in' then finds it gone and goes to sign-in with the
    reason, and back to the page after signing in."""
    page.clock.install()
    sign_in(page, short_server, "provider")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    profile = page.url
    page.clock.pause_at(datetime.now() + timedelta(seconds=3))  # the warning is due at 2 s
    dialog = page.get_by_role("dialog", name=WARNING)
    expect(dialog).to_be_visible()
    time.sleep(7)  # the server's 6 s pass; the page's clock stands still
    # The page's time runs again (from where it stood: 5 s before it would leave by
    # itself), and 'Stay signed in' is pressed at once, by keyboard (a held clock holds
    # the animation frames that a mouse click waits for).
    page.clock.resume()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the Provider Portal")
    expect(page.get_by_role("region", name="Important")).to_contain_text(
        "You have been signed out because you have not used the service for 6 seconds"
    )
    assert_accessible(page, "sign-in page after 'Stay signed in' came too late")
    page.get_by_label("Username").fill("provider")
    page.get_by_label("Password", exact=True).fill("Portal2026demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    assert page.url == profile
