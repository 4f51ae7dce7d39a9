"""The statements, the help page, the error pages and what every page carries (phase
banner, footer links, who is signed in, the profile's contents list): by mouse, by
keyboard only and with JavaScript off, with axe on every page state and no sideways
scrolling at 320 px (both checked by assert_accessible), and the reflow check itself."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import Server, sign_in, start_server
from e2e.keyboard import press_on

# Footer link -> the page's h1.
STATEMENTS = {
    "Help": "Help using the Provider Portal",
    "Code of conduct": "Code of conduct",
    "Accessibility statement": "Accessibility statement for the Provider Portal",
    "Cookies": "Cookies",
    "Privacy notice": "Privacy notice",
}


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


# What a user meets when something is not there or not theirs: (URL, status, h1).
ERRORS = [
    ("/no-such-page", 404, "Page not found"),
    ("/events/999999", 404, "Page not found"),
    ("/events/1/ofsted-documents", 403, "You do not have permission to do this"),
]


def test_error_pages_by_mouse_and_by_keyboard(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page, "404 signed out")
    sign_in(page, server, "provider")
    for path, status, heading in ERRORS:
        response = page.goto(f"{server.url}{path}")
        assert response is not None and response.status == status
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page, f"{status} at {path}")
    page.get_by_role("link", name="Go to the start").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")

    # By keyboard: from the error page back to the start.
    page.goto(f"{server.url}/no-such-page")
    press_on(page, page.get_by_role("link", name="Go to the start"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")


def test_error_pages_without_javascript(nojs_page: Page, server: Server) -> None:
    page = nojs_page
    sign_in(page, server, "provider")
    for path, status, heading in ERRORS:
        response = page.goto(f"{server.url}{path}")
        assert response is not None and response.status == status
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page, f"{status} at {path} without JavaScript")
    page.get_by_role("link", name="Go to the start").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")


def test_documents_tables_scroll_in_their_own_region_at_320_px(page: Page, server: Server) -> None:
    """A data table too wide for a phone scrolls inside its own region, which the
    keyboard reaches and scrolls, and which is named once, by the section's heading."""
    sign_in(page, server, "provider")
    page.set_viewport_size({"width": 320, "height": 640})
    region = page.get_by_role("region", name="Documents uploaded by Ofsted")
    expect(region.get_by_role("table")).to_have_count(1)
    # No hidden caption says the heading's words again.
    expect(region.locator("caption")).to_have_count(0)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    # Four columns do not fit in 320 px: the keyboard reaches the region and scrolls it.
    assert region.evaluate("(e) => e.scrollWidth > e.clientWidth")
    press_on(page, region, key="ArrowRight")
    expect(region).to_be_focused()
    page.wait_for_function("(e) => e.scrollLeft > 0", arg=region.element_handle())
    assert_accessible(page, "profile at 320 px, the table region focused")


REFLOW_BROKEN = """() => {
    const wide = document.createElement('p');
    wide.className = 'govuk-body';
    wide.textContent = 'Supercalifragilisticexpialidocious'.repeat(4);
    document.querySelector('main').append(wide);
}"""


def test_the_check_names_what_does_not_reflow(page: Page, server: Server) -> None:
    """The helper itself: a word too long for 320 px fails, naming where it is, and a
    table's scroll region without its name or tab stop fails too."""
    page.goto(f"{server.url}/help")
    page.evaluate(REFLOW_BROKEN)
    try:
        assert_accessible(page, "help with a long word")
    except AssertionError as failure:
        assert "does not reflow at 320 px" in str(failure)
        assert 'p.govuk-body "Supercalifragilistic' in str(failure)
    else:
        raise AssertionError("a page wider than 320 px passed the reflow check")
    assert page.viewport_size == {"width": 1280, "height": 720}  # put back

    sign_in(page, server, "provider")
    page.evaluate(
        "() => document.querySelectorAll('.portal-scroll').forEach(e => e.removeAttribute('tabindex'))"
    )
    page.set_viewport_size({"width": 640, "height": 720})
    try:
        assert_accessible(page, "profile with a table region not focusable")
    except AssertionError as failure:
        assert "not a table's focusable, labelled scroll region" in str(failure)
    else:
        raise AssertionError("a scroll region the keyboard cannot reach passed")
    assert page.viewport_size == {"width": 640, "height": 720}


LONG_NAME = "Safeguarding_policy_and_procedures_review_2026_final_version_signed_by_governors.txt"


def test_a_long_file_name_breaks_instead_of_widening_the_page(page: Page, tmp_path: Path) -> None:
    """A file name with no spaces wraps inside its cell at 320 px, on the documents screen
    and on the profile (assert_accessible checks the reflow)."""
    server = start_server(tmp_path / "server")
    try:
        upload = tmp_path / LONG_NAME
        upload.write_text("Reviewed by the governors in November.\n")
        sign_in(page, server, "provider")
        page.get_by_role("link", name="Upload or delete a document").click()
        page.get_by_label("Choose one or more files").set_input_files(upload)
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_role("row").filter(has_text=LONG_NAME)).to_contain_text("Not saved yet")
        assert_accessible(page, "documents screen with a long file name")
        page.get_by_role("button", name="Save").click()
        table = page.get_by_role("table", name="Documents uploaded by provider")
        expect(table).to_contain_text(LONG_NAME)
        assert_accessible(page, "profile and receipt with a long file name")
    finally:
        server.stop()
