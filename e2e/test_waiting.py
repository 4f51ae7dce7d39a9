"""What needs doing next: the administrator finds a concern on an event with no lead
inspector on 'Waiting', a failed mail on 'Mail' and sends it again; the provider's
"Your inspections" shows each event's status tags and next deadline. By mouse, by
keyboard only, and with JavaScript off; axe on every page state."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import DEMO_PASSWORD, Server, sign_in, start_server
from e2e.keyboard import press_on, sign_in_by_keyboard, sign_out_by_keyboard

FAILED = {
    "mouse": "Your concern was received",
    "keyboard": "Draft report published",
    "nojs": "Password changed",
}


@pytest.fixture(scope="module")
def waiting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo, plus: a concern on provider2's visit (it has no lead inspector), a past
    inspection for Oakfield (so its user sees a list, not the one event), failed mail."""
    running = start_server(tmp_path_factory.mktemp("waiting"))
    now = datetime.now(UTC).isoformat(sep=" ")
    with sqlite3.connect(running.data_dir / "portal.sqlite3") as db:
        visit, provider = db.execute(
            "SELECT id, provider FROM event WHERE event_ref = 'VIS-2026-0078'"
        ).fetchone()
        tom = db.execute("SELECT id FROM portal_user WHERE username = 'provider2'").fetchone()[0]
        db.execute(
            "INSERT INTO concern (event, raised_by, raised_at, text, response, action_taken) "
            "VALUES (?, ?, ?, 'The inspector arrived two hours early.', '', '')",
            (visit, tom, now),
        )
        oakfield = db.execute("SELECT id FROM provider WHERE urn = '131415'").fetchone()[0]
        db.execute(
            "INSERT INTO event (event_ref, event_type, start_date, end_date, provider, status, "
            "version) VALUES ('INS-2025-0099', 'inspection', '2025-03-04', '2025-03-05', ?, "
            "'open', 0)",
            (oakfield,),
        )
        for subject in FAILED.values():
            db.execute(
                "INSERT INTO outgoing_mail (to_address, subject, text_body, html_body, status, "
                "attempts, last_error, created_at, next_attempt_at, claimed_by) VALUES "
                "('tom.evans@littleacorns.example', ?, 'Hello', '', 'failed', 5, "
                "'SMTPRecipientsRefused: mailbox full', ?, ?, '')",
                (subject, now, now),
            )
    assert provider
    yield running
    running.stop()


def _retry_button(page: Page, subject: str):
    return page.get_by_role(
        "button", name=f"Retry the message to tom.evans@littleacorns.example: {subject}"
    )


def _waiting_shows_the_concern_and_the_failed_mail(page: Page, subject: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting")
    concerns = page.locator("[id^=concern-]")
    expect(concerns).to_contain_text("VIS-2026-0078")
    expect(concerns).to_contain_text("The inspector arrived two hours early.")
    expect(page.get_by_role("list").filter(has_text=subject)).to_contain_text(subject)


def _provider_list_shows_tags_and_deadline(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Your inspections")
    current = page.locator(".govuk-summary-card").filter(has_text="INS-2026-0415")
    expect(current.locator(".govuk-tag")).to_have_text("Check open")
    expect(current).to_contain_text("Next deadline")
    expect(current).to_contain_text("5pm on ")
    past = page.locator(".govuk-summary-card").filter(has_text="INS-2025-0099")
    expect(past).to_contain_text("Nothing waiting")


def test_admin_retries_failed_mail_and_provider_sees_tags_by_mouse(
    waiting_server: Server, page: Page
) -> None:
    subject = FAILED["mouse"]
    sign_in(page, waiting_server, "admin")
    page.get_by_role("link", name="Waiting", exact=True).click()
    _waiting_shows_the_concern_and_the_failed_mail(page, subject)
    assert_accessible(page, "waiting")
    page.get_by_role("link", name="See failed mail and send it again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mail")
    expect(page.locator(".govuk-summary-card").filter(has_text=subject)).to_contain_text("Failed")
    assert_accessible(page, "mail, failed only")
    page.get_by_label("Status").select_option("")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("Showing 1 to")).to_be_visible()
    assert_accessible(page, "mail, all")
    _retry_button(page, subject).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Message queued to be sent again"
    )
    card = page.locator(".govuk-summary-card").filter(has_text=subject)
    expect(card.locator(".govuk-tag")).not_to_have_text("Failed")
    expect(_retry_button(page, subject)).to_have_count(0)
    assert_accessible(page, "mail after retry")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, waiting_server, "provider")
    _provider_list_shows_tags_and_deadline(page)
    assert_accessible(page, "your inspections with tags")


def test_admin_retries_failed_mail_by_keyboard(waiting_server: Server, page: Page) -> None:
    subject = FAILED["keyboard"]
    sign_in_by_keyboard(page, waiting_server.url, "admin", DEMO_PASSWORD)
    press_on(page, page.get_by_role("link", name="Waiting", exact=True))
    _waiting_shows_the_concern_and_the_failed_mail(page, subject)
    assert_accessible(page, "waiting (keyboard)")
    press_on(page, page.get_by_role("link", name="See failed mail and send it again"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mail")
    assert_accessible(page, "mail (keyboard)")
    press_on(page, _retry_button(page, subject))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Message queued to be sent again"
    )
    expect(_retry_button(page, subject)).to_have_count(0)
    assert_accessible(page, "mail after retry (keyboard)")
    sign_out_by_keyboard(page)

    sign_in_by_keyboard(page, waiting_server.url, "provider", DEMO_PASSWORD)
    _provider_list_shows_tags_and_deadline(page)
    press_on(page, page.get_by_role("link", name="INS-2026-0415"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Oakfield")


def test_admin_retries_failed_mail_without_javascript(
    waiting_server: Server, nojs_page: Page
) -> None:
    page = nojs_page
    subject = FAILED["nojs"]
    sign_in(page, waiting_server, "admin")
    page.get_by_role("link", name="Waiting", exact=True).click()
    _waiting_shows_the_concern_and_the_failed_mail(page, subject)
    assert_accessible(page, "waiting (no JavaScript)")
    page.get_by_role("link", name="See failed mail and send it again").click()
    assert_accessible(page, "mail (no JavaScript)")
    _retry_button(page, subject).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Message queued to be sent again"
    )
    assert_accessible(page, "mail after retry (no JavaScript)")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, waiting_server, "provider")
    _provider_list_shows_tags_and_deadline(page)
    assert_accessible(page, "your inspections (no JavaScript)")
