"""The statements, the help page and what every page carries (phase banner, footer links,
who is signed in, the profile's contents list): by mouse, by keyboard only and with
JavaScript off, with axe on every page state and no sideways scrolling at 320 px."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import Server, sign_in

# Footer link -> the page's h1.
STATEMENTS = {
    "Help": "Help using the Provider Portal",
    "Code of conduct": "Code of conduct",
    "Accessibility statement": "Accessibility statement for the Provider Portal",
    "Cookies": "Cookies",
    "Privacy notice": "Privacy notice",
}
NARROW = {"width": 320, "height": 640}  # WCAG 1.4.10: a phone, or 1280 px at 400%


def assert_reflows(page: Page, state: str) -> None:
    """At 320 CSS px wide the page scrolls only up and down."""
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    try:
        wide = page.evaluate(
            "() => [document.documentElement.scrollWidth,"
            " [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 321)"
            ".slice(0, 3).map(e => e.tagName + '.' + e.className)]"
        )
        assert wide[0] <= NARROW["width"], f"'{state}' is {wide[0]} px wide at 320 px: {wide[1]}"
    finally:
        if size:
            page.set_viewport_size(size)


def footer_link(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(".govuk-footer").get_by_role("link", name=name, exact=True)


def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the link or button called `name` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => (document.activeElement.innerText || document.activeElement.value || '').trim()"
        )
        if focused == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_statements_by_mouse_signed_out_and_in(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/sign-in")
    banner = page.locator(".govuk-phase-banner")
    expect(banner).to_contain_text("Beta")
    expect(banner).to_contain_text(
        "This is a new service. Help us improve it and give your feedback."
    )
    for name, heading in STATEMENTS.items():
        footer_link(page, name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator(".govuk-footer")).to_be_visible()
        assert_accessible(page, f"{name} (signed out)")
        assert_reflows(page, f"{name} (signed out)")

    # The phase banner's feedback link lands on the help page's feedback section.
    banner.get_by_role("link", name="give your feedback").click()
    expect(page).to_have_url(re.compile(r"/help#feedback$"))
    expect(page.get_by_role("heading", name="Get help or give feedback")).to_be_in_viewport()

    sign_in(page, server, "provider")
    navigation = page.get_by_role("navigation", name="Account")
    expect(navigation).to_contain_text("Signed in as Priya Shah")
    for name, heading in STATEMENTS.items():
        footer_link(page, name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(navigation).to_contain_text("Signed in as Priya Shah")
        assert_accessible(page, f"{name} (signed in)")
        assert_reflows(page, f"{name} (signed in)")


def test_profile_contents_list_and_one_day_visit(page: Page, server: Server) -> None:
    sign_in(page, server, "provider2")
    expect(page.get_by_role("heading", level=1)).to_have_text("Little Acorns Nursery")
    contents = page.get_by_role("navigation", name="Contents")
    expect(contents.get_by_role("link")).to_have_text(
        [
            "About this visit",
            "Ofsted team",
            "Documents uploaded by Ofsted",
            "Documents uploaded by provider",
            "Forms",
            "Code of conduct",
            "Concerns",
            "Evidence confirmation",
        ]
    )
    # "Visit dates", and a one-day visit's date once.
    dates = page.locator(".govuk-summary-list__row", has_text="Visit dates")
    expect(dates.locator("dd")).to_have_text(re.compile(r"^\s*\d{1,2} \w+ \d{4}\s*$"))
    assert_accessible(page, "one-day visit profile")
    contents.get_by_role("link", name="Evidence confirmation").click()
    expect(page).to_have_url(re.compile(r"#evidence-confirmation$"))
    expect(page.get_by_role("heading", name="Evidence confirmation")).to_be_in_viewport()


def test_footer_links_and_contents_by_keyboard_only(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/sign-in")
    for name, heading in STATEMENTS.items():
        tab_to(page, name)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page, f"{name} reached by keyboard")
    # Back up the page to the phase banner's link with Shift+Tab, then follow it.
    page.keyboard.press("End")
    for _ in range(80):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.innerText") == "give your feedback":
            break
    else:
        raise AssertionError("Shift+Tab never reached the feedback link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/help#feedback$"))

    # The help page's own contents list, by keyboard.
    page.goto(f"{server.url}/help")
    tab_to(page, "Documents uploaded by provider")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/help#provider-documents$"))
    expect(page.get_by_role("heading", name="Documents uploaded by provider")).to_be_in_viewport()

    # The profile's contents list, by keyboard: Tab to a section's link, Enter.
    sign_in(page, server, "provider2")
    tab_to(page, "Concerns")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#concerns$"))
    expect(page.get_by_role("heading", name="Concerns", exact=True)).to_be_in_viewport()
    assert_accessible(page, "profile after a contents link by keyboard")


def test_statements_and_header_without_javascript(nojs_page: Page, server: Server) -> None:
    page = nojs_page
    sign_in(page, server, "lead.inspector")
    expect(page.get_by_role("navigation", name="Account")).to_contain_text(
        "Signed in as Helen Carter HMI"
    )
    for name, heading in STATEMENTS.items():
        footer_link(page, name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator(".govuk-phase-banner")).to_contain_text("Beta")
        assert_accessible(page, f"{name} without JavaScript")
    page.get_by_role("link", name="give your feedback").click()
    expect(page).to_have_url(re.compile(r"/help#feedback$"))
