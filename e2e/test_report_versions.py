"""Published reports are records: the demo's draft report is version 1; the lead inspector
publishes version 2; the provider sees both, the first marked superseded; deleting a
published report is not offered, and refused when asked for. By mouse, by keyboard only
and with JavaScript off, axe on every state. Each test runs its own server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import Server, sign_in
from e2e.keyboard import tab_to
from e2e.ofsted_documents import OFSTED_TITLE, upload_draft_report_by_keyboard

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
V1 = "Oakfield Primary School - draft inspection report.pdf"  # the demo's, version 1
V2 = "Draft report version 2.pdf"
EVENT = "INS-2026-0415"
REFUSED = re.compile(r"You cannot delete ‘Oakfield Primary School - draft inspection report\.pdf’")


@pytest.fixture
def v2_file(tmp_path: Path) -> Path:
    path = tmp_path / V2
    path.write_bytes(PDF)
    return path


def ofsted_rows(page: Page) -> Locator:
    """The rows of the profile's first table after 'Documents uploaded by Ofsted'."""
    table = page.locator("#ofsted-documents ~ table, #ofsted-documents ~ * table").first
    return table.locator("tbody tr")


def screen_row(page: Page, name: str) -> Locator:
    return page.locator("#document-list table").first.locator("tbody tr").filter(has_text=name)


def earlier_row(page: Page, name: str) -> Locator:
    return (
        page.get_by_role("table", name="Earlier versions of reports")
        .locator("tbody tr")
        .filter(has_text=name)
    )


def delete_url(page: Page, server: Server, name: str) -> str:
    """The address a 'Delete' link would have had: the document's id from its download."""
    href = page.get_by_role("link", name=name).first.get_attribute("href") or ""
    match = re.search(r"/events/(\d+)/documents/(\d+)/download", href)
    assert match, href
    return f"{server.url}/events/{match[1]}/ofsted-documents/{match[2]}/delete"


def expect_versions_on_profile(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    expect(ofsted_rows(page).filter(has_text=V2)).to_contain_text("Draft report, version 2")
    old = ofsted_rows(page).filter(has_text=V1)
    expect(old).to_contain_text("Draft report, version 1")
    expect(old).to_contain_text("Superseded")
    # Newest first.
    names = ofsted_rows(page).all_inner_texts()
    newer = next(i for i, text in enumerate(names) if V2 in text)
    assert newer < next(i for i, text in enumerate(names) if V1 in text)


def expect_screen_after_v2(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(OFSTED_TITLE)
    expect(screen_row(page, V2)).to_contain_text("Draft report, version 2")
    expect(screen_row(page, V2).get_by_role("link", name=re.compile("^Delete"))).to_have_count(0)
    expect(earlier_row(page, V1)).to_contain_text("Superseded")
    expect(earlier_row(page, V1).get_by_role("link", name=re.compile("^Delete"))).to_have_count(0)


def test_lead_publishes_version_2_and_the_provider_sees_both_by_mouse(
    page: Page, provider_page: Page, own_server: Server, v2_file: Path
) -> None:
    server = own_server
    # The provider sees version 1, the check open on it.
    sign_in(provider_page, server, "provider")
    expect(ofsted_rows(provider_page).filter(has_text=V1)).to_contain_text(
        "Draft report, version 1"
    )
    assert_accessible(provider_page, "provider profile, version 1")
    provider_page.get_by_role("link", name="Factual accuracy check").click()
    expect(provider_page.locator("#report-version")).to_contain_text("Version 1, published")
    assert_accessible(provider_page, "accuracy check on version 1")

    # The lead inspector: version 1 cannot be deleted; version 2 is published.
    sign_in(page, server, "lead.inspector")
    page.get_by_role("link", name=EVENT).click()
    page.get_by_role("link", name="Upload or delete an Ofsted document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OFSTED_TITLE)
    expect(screen_row(page, V1)).to_contain_text("Draft report, version 1")
    expect(screen_row(page, V1).get_by_role("link", name=re.compile("^Delete"))).to_have_count(0)
    assert_accessible(page, "Ofsted documents, version 1 published")
    page.get_by_label("Draft report").check()
    page.get_by_label("Choose one or more files").set_input_files(v2_file)
    page.get_by_role("button", name="Upload").click()
    expect(screen_row(page, V2)).to_contain_text("Not saved yet")
    assert_accessible(page, "version 2 staged")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect_versions_on_profile(page)
    assert_accessible(page, "profile after publishing version 2")
    page.get_by_role("link", name="Upload or delete an Ofsted document").click()
    expect_screen_after_v2(page)
    assert_accessible(page, "Ofsted documents with an earlier version")

    # Asked for anyway (an old link): refused, nothing changed.
    page.goto(delete_url(page, server, V1))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(REFUSED)
    expect(page).to_have_title(f"Error: {OFSTED_TITLE} – Provider Portal")
    assert_accessible(page, "delete of a superseded report refused")
    expect(earlier_row(page, V1)).to_contain_text("Superseded")

    # The provider: both listed, the check now about version 2.
    provider_page.goto(f"{server.url}/")
    expect_versions_on_profile(provider_page)
    assert_accessible(provider_page, "provider profile, version 2")
    provider_page.get_by_role("link", name="Factual accuracy check").click()
    expect(provider_page.locator("#report-version")).to_contain_text("Version 2, published")
    expect(provider_page.get_by_role("link", name=V2)).to_be_visible()
    assert_accessible(provider_page, "accuracy check on version 2")


def test_lead_publishes_version_2_by_keyboard_only(
    page: Page, own_server: Server, v2_file: Path
) -> None:
    server = own_server
    upload_draft_report_by_keyboard(page, server, EVENT, v2_file)
    expect(screen_row(page, V2)).to_contain_text("Not saved yet")
    assert_accessible(page, "version 2 staged by keyboard")
    tab_to(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_be_focused()
    expect_versions_on_profile(page)
    assert_accessible(page, "profile after version 2 by keyboard")
    tab_to(page, page.get_by_role("link", name="Upload or delete an Ofsted document"))
    page.keyboard.press("Enter")
    expect_screen_after_v2(page)
    assert_accessible(page, "earlier version listed, by keyboard")

    # The refusal's link leads to where a new version is chosen.
    page.goto(delete_url(page, server, V2))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("You cannot delete ‘Draft report version 2.pdf’")
    expect(summary).to_be_focused()
    assert_accessible(page, "delete of the published report refused, by keyboard")
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Draft report")).to_be_focused()


def test_lead_publishes_version_2_without_javascript(
    nojs_page: Page, own_server: Server, v2_file: Path
) -> None:
    page, server = nojs_page, own_server
    sign_in(page, server, "lead.inspector")
    page.get_by_role("link", name=EVENT).click()
    page.get_by_role("link", name="Upload or delete an Ofsted document").click()
    assert_accessible(page, "Ofsted documents without JavaScript")
    page.get_by_label("Draft report").check()
    page.get_by_label("Choose one or more files").set_input_files(v2_file)
    page.get_by_role("button", name="Upload").click()
    expect(screen_row(page, V2)).to_contain_text("Not saved yet")
    assert_accessible(page, "version 2 staged without JavaScript")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect_versions_on_profile(page)
    assert_accessible(page, "profile after version 2 without JavaScript")
    page.get_by_role("link", name="Upload or delete an Ofsted document").click()
    expect_screen_after_v2(page)
    assert_accessible(page, "earlier version listed without JavaScript")
    page.goto(delete_url(page, server, V1))
    expect(page.locator(".govuk-error-summary")).to_contain_text(REFUSED)
    assert_accessible(page, "delete refused without JavaScript")
