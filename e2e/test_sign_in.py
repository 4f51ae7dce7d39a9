"""Signing in and seeing the Provider Profile page, as the quick start guide describes."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import DEMO_PASSWORD, Server, sign_in
from e2e.keyboard import tab_to


def test_provider_signs_in_and_sees_profile_page(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the Provider Portal")
    assert_accessible(page, "sign-in page")

    # Wrong password: one message, linked to the field, the username kept.
    page.get_by_label("Username").fill("provider")
    page.get_by_label("Password", exact=True).fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The username or password is not correct")
    expect(summary).to_be_focused()
    expect(page.locator("#portal-live")).to_have_text("There is a problem")
    expect(page.get_by_label("Username")).to_have_value("provider")
    assert_accessible(page, "sign-in page with an error")
    summary.get_by_role("link", name="The username or password is not correct").click()
    expect(page.get_by_label("Username")).to_be_focused()

    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    for section in [
        "Ofsted team",
        "Documents uploaded by Ofsted",
        "Documents uploaded by provider",
        "Forms",
    ]:
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    expect(page.get_by_text("INS-2026-0415").first).to_be_visible()
    expect(page.get_by_text("Lead inspector", exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name="Upload or delete a document")).to_be_visible()
    expect(page.get_by_role("link", name="Factual accuracy check")).to_be_visible()
    expect(page.get_by_role("link", name="Survey")).to_be_visible()
    assert_accessible(page, "provider profile page")

    # 'File name' links download the document.
    with page.expect_download() as download:
        page.get_by_role("link", name="Notification letter.pdf").click()
    assert download.value.suggested_filename == "Notification letter.pdf"

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    assert_accessible(page, "signed out page")


def test_sign_in_by_keyboard_only(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/sign-in")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    # Tab from the skip link's target to the first field.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "username":
            break
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("lead.inspector")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your inspections")
    assert_accessible(page, "inspector's list of events")
    tab_to(page, page.get_by_role("link", name="INS-2026-0415"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    assert_accessible(page, "profile page as inspector")


def test_sign_in_without_javascript(nojs_page: Page, server: Server) -> None:
    page = nojs_page
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Username").fill("provider")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The username or password is not correct"
    )
    expect(page).to_have_title("Error: Sign in – Provider Portal")
    assert_accessible(page, "sign-in error without JavaScript")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    assert_accessible(page, "profile page without JavaScript")


def test_sign_in_rejects_without_revealing_user(page: Page, server: Server) -> None:
    sign_in(page, server, "nobody-by-this-name", "whatever")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The username or password is not correct"
    )
