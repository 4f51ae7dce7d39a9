"""'Activity and receipts': a submission's reference in its confirmation, the submission
on the event's 'Activity and receipts' page, and its receipt, which prints without the
service's navigation or buttons. By mouse, by keyboard only and with JavaScript off.

Each journey submits something, so each starts its own demo server."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import Server, sign_in
from e2e.keyboard import press_on, sign_in_by_keyboard, tab_to

REFERENCE = re.compile(r"PP-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}")
PLAN = b"%PDF-1.4\n% the improvement plan\n%%EOF\n"
OVERALL = "Overall I am satisfied with how the inspection was carried out"
# What a printed receipt leaves out: the service around the record.
NOT_PRINTED = [
    ".govuk-generic-header",
    ".govuk-service-navigation",
    ".govuk-phase-banner",
    ".govuk-back-link",
    ".govuk-footer",
    ".portal-print-link",
    "button",
]


def reference_in_banner(page: Page) -> str:
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Your reference is PP-")
    found = REFERENCE.search(banner.inner_text())
    assert found, banner.inner_text()
    return found.group(0)


def count_prints(page: Page) -> None:
    """window.print() counted, not run: headless Chromium has no print dialog to wait on."""
    page.evaluate(
        "() => { window.portalPrinted = 0; window.print = () => { window.portalPrinted += 1; }; }"
    )


def assert_prints_cleanly(page: Page, reference: str, tmp_path: Path) -> None:
    page.emulate_media(media="print")
    page.screenshot(path=str(tmp_path / f"receipt-{reference}-print.png"), full_page=True)
    for selector in NOT_PRINTED:
        for element in page.locator(selector).all():
            expect(element).to_be_hidden()
            assert element.evaluate("(el) => getComputedStyle(el).display") == "none", selector
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(reference)
    page.emulate_media(media="screen")
    expect(page.locator(".govuk-service-navigation")).to_be_visible()


def test_a_documents_save_has_a_receipt_that_prints_by_mouse(
    page: Page, own_server: Server, tmp_path: Path
) -> None:
    plan = tmp_path / "Improvement plan.pdf"
    plan.write_bytes(PLAN)
    sign_in(page, own_server, "provider")
    page.get_by_role("link", name="Upload or delete a document").click()
    page.get_by_label("Choose one or more files").set_input_files(plan)
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("has been uploaded")
    page.get_by_role("button", name="Save").click()
    reference = reference_in_banner(page)
    assert_accessible(page, "profile after Save, with the reference")

    page.get_by_role("link", name="Activity and receipts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity and receipts")
    card = page.locator(".govuk-summary-card", has_text=reference)
    expect(card).to_contain_text("Documents saved")
    expect(card).to_contain_text("Improvement plan.pdf")
    expect(card).to_contain_text(hashlib.sha256(PLAN).hexdigest())
    assert_accessible(page, "activity and receipts")
    # 320 CSS pixels wide: the cards reflow, nothing scrolls sideways.
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 800})
    assert_prints_cleanly(page, reference, tmp_path)

    card.get_by_role("link", name=re.compile("View receipt")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Receipt: documents saved")
    expect(page.locator("main")).to_contain_text(hashlib.sha256(PLAN).hexdigest())
    assert_accessible(page, "a receipt")
    count_prints(page)
    page.get_by_role("link", name="Print this page").click()
    assert page.evaluate("() => window.portalPrinted") == 1
    assert_prints_cleanly(page, reference, tmp_path)


def test_a_survey_receipt_by_keyboard_only(page: Page, own_server: Server) -> None:
    sign_in_by_keyboard(page, own_server.url, "provider", "Portal2026demo")
    press_on(page, page.get_by_role("link", name="Survey", exact=True))
    overall = page.get_by_role("group", name=OVERALL)
    tab_to(page, overall.get_by_label("Strongly agree", exact=True))  # a group's first radio
    page.keyboard.press("ArrowDown")  # the arrow keys choose as they move
    expect(overall.get_by_label("Agree", exact=True)).to_be_checked()
    press_on(page, page.get_by_role("button", name="Save"))
    reference = reference_in_banner(page)

    press_on(page, page.get_by_role("link", name="Activity and receipts"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity and receipts")
    expect(page.locator(".govuk-summary-card", has_text=reference)).to_contain_text("Survey saved")
    assert_accessible(page, "activity and receipts (keyboard)")
    press_on(page, page.get_by_role("link", name=re.compile(f"View receipt {reference}")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Receipt: survey saved")
    assert_accessible(page, "a receipt (keyboard)")
    count_prints(page)
    press_on(page, page.get_by_role("link", name="Print this page"))
    assert page.evaluate("() => window.portalPrinted") == 1


def test_a_survey_receipt_without_javascript(nojs_page: Page, own_server: Server) -> None:
    page = nojs_page
    sign_in(page, own_server, "provider")
    page.get_by_role("link", name="Survey", exact=True).click()
    page.get_by_role("group", name=OVERALL).get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Save").click()
    reference = reference_in_banner(page)
    page.get_by_role("link", name="Activity and receipts").click()
    assert_accessible(page, "activity and receipts without JavaScript")
    page.get_by_role("link", name=re.compile(f"View receipt {reference}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Receipt: survey saved")
    expect(page.locator("main")).to_contain_text(reference)
    # Without JavaScript nothing would print it: the browser's own Print does.
    expect(page.get_by_role("link", name="Print this page")).to_be_hidden()
    assert_accessible(page, "a receipt without JavaScript")
