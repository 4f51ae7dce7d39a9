"""The lead inspector's Ofsted documents screen, as several journeys use it."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.axe import assert_accessible
from e2e.conftest import Server, sign_in
from e2e.keyboard import tab_to

OFSTED_TITLE = "Documents Uploaded by Ofsted"


def upload_draft_report_by_keyboard(page: Page, server: Server, event_ref: str, file: Path) -> None:
    """Keyboard only: the lead inspector signs in, opens the event's Ofsted documents and
    uploads `file` as a draft report (not saved yet: the caller checks it and saves)."""
    page.on("filechooser", lambda _chooser: None)  # interception on before Space
    sign_in(page, server, "lead.inspector")
    tab_to(page, page.get_by_role("link", name=event_ref))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Upload or delete an Ofsted document"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(OFSTED_TITLE)
    assert_accessible(page, "Ofsted documents by keyboard")
    tab_to(page, page.get_by_label("Draft report"))
    page.keyboard.press("Space")
    expect(page.get_by_label("Draft report")).to_be_checked()
    tab_to(page, page.get_by_label("Choose one or more files"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(file)
    tab_to(page, page.get_by_role("button", name="Upload"))
    page.keyboard.press("Enter")
