"""Notifications end to end: the lead inspector publishes the draft report; the provider
opens the link in the email the portal sent, completes the factual accuracy check, and
both receipts arrive (the provider's, with its reference, and the lead inspector's). By
mouse, by keyboard only and with JavaScript off, axe on every state. Each journey runs
its own server: the demo's second event (provider2's visit) is given the lead inspector,
and has no draft report yet."""

from __future__ import annotations

import re
import time
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import DEMO_PASSWORD, Server, run_cli, sign_in
from e2e.keyboard import tab_to
from e2e.ofsted_documents import OFSTED_TITLE, upload_draft_report_by_keyboard

EVENT = "VIS-2026-0078"  # Little Acorns Nursery's visit
PROVIDER_EMAIL = "tom.evans@littleacorns.example"
LEAD_EMAIL = "helen.carter@ofsted.example"
DRAFT = "Little Acorns - draft visit report.pdf"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
CONFIRM = "I confirm that I have entered all my comments on the draft report"
QUESTION = "Do you wish to make any comments about the factual accuracy of the report?"
REFERENCE = re.compile(r"Your reference is (PP-[A-Z0-9]{4}-[A-Z0-9]{4})\.")


@pytest.fixture
def server(own_server: Server) -> Server:
    # The visit gets a lead inspector (the administrator's command; the provider is told).
    run_cli(
        own_server,
        *("add-team-member", "--event-id", EVENT, "--username", "lead.inspector"),
        *("--role", "lead"),
        env={"PORTAL_BASE_URL": own_server.url},
    )
    return own_server


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    path = tmp_path / DRAFT
    path.write_bytes(PDF)
    return path


def mails_to(server: Server, address: str, subject: str) -> list[EmailMessage]:
    """The mails to `address` whose subject starts with `subject`, once the server's mail
    worker has written at least one of them to the outbox."""
    deadline = time.monotonic() + 20
    while True:
        found = []
        for path in sorted((server.data_dir / "outbox").glob("*.eml")):
            message = message_from_bytes(path.read_bytes(), policy=default)
            assert isinstance(message, EmailMessage)
            if message["To"] == address and " ".join(str(message["Subject"]).split()).startswith(
                subject
            ):
                found.append(message)
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


def check_link(server: Server) -> str:
    """The link in the 'check is open' email: the public address, the check's page."""
    [opened] = mails_to(server, PROVIDER_EMAIL, "Check the draft report for factual accuracy")
    text = text_of(opened)
    assert "The factual accuracy check is now open" in text
    found = re.search(rf"{re.escape(server.url)}/events/\d+/accuracy-check", text)
    assert found, text
    html = opened.get_body(("html",))
    assert html is not None and f'href="{found[0]}"' in html.get_content()
    return found[0]


def expect_receipts(server: Server) -> None:
    [receipt] = mails_to(server, PROVIDER_EMAIL, "Factual accuracy check sent to Ofsted")
    text = text_of(receipt)
    reference = REFERENCE.search(text)
    assert reference, text
    assert "Tom Evans completed the factual accuracy check" in text
    assert f"{server.url}/events/" in text and f"/activity/{reference[1]}" in text
    [notice] = mails_to(server, LEAD_EMAIL, "Factual accuracy check completed")
    notice_text = text_of(notice)
    assert "Little Acorns Nursery" in notice_text and f"Reference: {reference[1]}" in notice_text
    assert re.search(rf"{re.escape(server.url)}/events/\d+/accuracy-check", notice_text)


def publish_draft_by_mouse(page: Page, server: Server, draft: Path) -> None:
    sign_in(page, server, "lead.inspector")
    page.get_by_role("link", name=EVENT).click()
    page.get_by_role("link", name="Upload or delete an Ofsted document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OFSTED_TITLE)
    assert_accessible(page, "Ofsted documents, no draft report yet")
    page.get_by_label("Draft report").check()
    page.get_by_label("Choose one or more files").set_input_files(draft)
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#document-list")).to_contain_text("Not saved yet")
    assert_accessible(page, "draft report staged")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    assert_accessible(page, "draft report published")


def sign_in_from_the_link(page: Page, link: str, *, keyboard: bool = False) -> None:
    """The email's link, signed out: the sign-in page, then the check itself."""
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the Provider Portal")
    assert_accessible(page, "sign in from the email's link")
    if keyboard:
        tab_to(page, page.get_by_label("Username"))
        page.keyboard.type("provider2")
        tab_to(page, page.get_by_label("Password", exact=True))
        page.keyboard.type(DEMO_PASSWORD)
        page.keyboard.press("Enter")
    else:
        page.get_by_label("Username").fill("provider2")
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Factual accuracy check")
    assert page.url == link
    expect(page.get_by_role("link", name=re.compile(re.escape(DRAFT)))).to_be_visible()
    assert_accessible(page, "the check opened from the email")


def expect_completed(page: Page) -> None:
    expect(page.get_by_text(re.compile(r"Completed on .* by Tom Evans"))).to_be_visible()
    expect(page.locator("textarea, input[type=radio], input[type=checkbox]")).to_have_count(0)
    assert_accessible(page, "the check completed")


def test_draft_report_email_to_completed_check_by_mouse(
    page: Page, provider_page: Page, server: Server, draft: Path
) -> None:
    # The team change reached the provider too.
    [team] = mails_to(server, PROVIDER_EMAIL, f"The Ofsted team for {EVENT} has changed")
    assert "Helen Carter HMI has joined the team as lead inspector" in text_of(team)

    publish_draft_by_mouse(page, server, draft)
    link = check_link(server)
    sign_in_from_the_link(provider_page, link)
    provider_page.get_by_role("group", name=QUESTION).get_by_label("No").check()
    provider_page.get_by_label(CONFIRM).check()
    provider_page.get_by_role("button", name="Done").click()
    expect_completed(provider_page)
    expect_receipts(server)


def test_draft_report_email_to_completed_check_by_keyboard(
    page: Page, provider_page: Page, server: Server, draft: Path
) -> None:
    upload_draft_report_by_keyboard(page, server, EVENT, draft)
    expect(page.locator("#document-list")).to_contain_text("Not saved yet")
    assert_accessible(page, "draft report staged by keyboard")
    tab_to(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    assert_accessible(page, "draft report published by keyboard")

    link = check_link(server)
    sign_in_from_the_link(provider_page, link, keyboard=True)
    no = provider_page.get_by_role("group", name=QUESTION).get_by_label("No")
    tab_to(provider_page, provider_page.get_by_role("group", name=QUESTION).get_by_label("Yes"))
    provider_page.keyboard.press("ArrowDown")  # the radios' own keys: Yes, then No
    expect(no).to_be_checked()
    tab_to(provider_page, provider_page.get_by_label(CONFIRM))
    provider_page.keyboard.press("Space")
    expect(provider_page.get_by_label(CONFIRM)).to_be_checked()
    tab_to(provider_page, provider_page.get_by_role("button", name="Done"))
    provider_page.keyboard.press("Enter")
    expect_completed(provider_page)
    expect_receipts(server)


def test_draft_report_email_to_completed_check_without_javascript(
    nojs_page: Page, browser: Browser, server: Server, draft: Path
) -> None:
    page = nojs_page
    publish_draft_by_mouse(page, server, draft)
    link = check_link(server)
    # The provider, with JavaScript off too (a context of its own).
    context = browser.new_context(java_script_enabled=False)
    provider = context.new_page()
    provider.set_default_timeout(10_000)
    provider.portal_axe_helper = page.portal_axe_helper  # type: ignore[attr-defined]
    try:
        sign_in_from_the_link(provider, link)
        provider.get_by_role("group", name=QUESTION).get_by_label("No").check()
        provider.get_by_label(CONFIRM).check()
        provider.get_by_role("button", name="Done").click()
        expect_completed(provider)
    finally:
        context.close()
    expect_receipts(server)
