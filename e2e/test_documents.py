"""'Upload or delete a document': upload, delete with 'Yes - Delete', Save and Cancel,
by mouse, by keyboard only, and with JavaScript off, with axe on every state.
Each test runs its own server: they change the demo data."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from tests.clamd import EICAR, Clamd
from tests.clamd import clamd as clamd  # the session's real clamd (a fixture)

from e2e.axe import assert_accessible
from e2e.conftest import Server, sign_in, start_server, watched_page

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
CSV = b"pupil group,attendance\nYear 1,97.5\nYear 2,96.1\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "my documents"
    folder.mkdir()
    made = {
        "Self-evaluation summary.pdf": PDF,
        "Attendance 2026.csv": CSV,
        "Setup.exe": EXE,
        "Large evidence pack.csv": CSV * 120_000,  # about 5 MB: progress is visible
        "Empty notes.txt": b"",
    }
    for name, data in made.items():
        (folder / name).write_bytes(data)
    return {name: folder / name for name in made}


def document_rows(page: Page) -> Locator:
    """The table's document rows (not the inline 'Are you sure…?' row)."""
    return page.locator("#document-list tbody tr:not(:has(.portal-confirm-cell))")


def row(page: Page, file_name: str) -> Locator:
    return document_rows(page).filter(has_text=file_name)


def record_announcements(page: Page) -> None:
    page.evaluate(
        """() => {
            window.portalHeard = [];
            const region = document.getElementById('portal-live');
            new MutationObserver(() => {
                if (region.textContent) window.portalHeard.push(region.textContent);
            }).observe(region, {childList: true, characterData: true, subtree: true});
        }"""
    )


def open_documents_screen(page: Page, server: Server) -> None:
    sign_in(page, server, "provider")
    page.get_by_role("link", name="Upload or delete a document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents Uploaded by Provider")


def test_upload_delete_save_and_cancel_by_mouse(
    page: Page, own_server: Server, files: dict[str, Path]
) -> None:
    open_documents_screen(page, own_server)
    expect(page.get_by_text("There are no documents yet.")).to_be_visible()
    assert_accessible(page, "documents screen, list empty")

    # Upload two files at once, in place, with the progress announced.
    record_announcements(page)
    page.get_by_label("Choose one or more files").set_input_files(
        [files["Self-evaluation summary.pdf"], files["Large evidence pack.csv"]]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("2 files have been uploaded")
    expect(row(page, "Self-evaluation summary.pdf")).to_contain_text("Not saved yet")
    expect(row(page, "Large evidence pack.csv")).to_contain_text("Not saved yet")
    expect(page.locator(".govuk-inset-text")).to_be_focused()
    # A function, not a bare expression: Playwright evals a string again on each poll,
    # which the page's CSP (no 'unsafe-eval') refuses once the first check is false.
    page.wait_for_function("() => window.portalHeard.some(t => t.includes('Upload complete'))")
    heard = page.evaluate("window.portalHeard")
    assert any(text.startswith("Uploading 2 files") for text in heard), heard
    assert any("Upload complete" in text for text in heard), heard
    assert_accessible(page, "documents screen, files staged")

    # A refused type: the error next to the field, nothing added.
    page.get_by_label("Choose one or more files").set_input_files(files["Setup.exe"])
    page.get_by_role("button", name="Upload").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The selected file must be a PDF, Word, Excel")
    expect(summary).to_be_focused()
    expect(page.locator("#file-error")).to_contain_text("must be a PDF")
    expect(page.locator("#document-list tbody tr")).to_have_count(2)
    assert_accessible(page, "documents screen, upload error")

    # Staged changes survive a reload.
    page.reload()
    expect(row(page, "Self-evaluation summary.pdf")).to_contain_text("Not saved yet")

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Your changes to the documents have been saved")
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text(hashlib.sha256(PDF).hexdigest())
    expect(receipt).to_contain_text("Self-evaluation summary.pdf")
    section = page.get_by_role("table", name="Documents uploaded by provider")
    expect(section).to_contain_text("Self-evaluation summary.pdf")
    assert_accessible(page, "profile after Save, with banner and receipt")

    # Delete one: asked inline, 'Yes - Delete', then Save.
    page.get_by_role("link", name="Upload or delete a document").click()
    row(page, "Large evidence pack.csv").get_by_role("link", name="Delete").click()
    question = page.get_by_text("Are you sure you want to delete ‘Large evidence pack.csv’?")
    expect(question).to_be_focused()
    yes = page.get_by_role("button", name="Yes - Delete")
    expect(yes).to_have_class("govuk-button govuk-button--warning")
    assert_accessible(page, "delete confirmation inline")
    # Cancel first: nothing changes, focus goes back to the row's Delete link.
    page.get_by_role("link", name="Cancel deleting Large evidence pack.csv").click()
    expect(row(page, "Large evidence pack.csv").get_by_role("link", name="Delete")).to_be_focused()
    row(page, "Large evidence pack.csv").get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Yes - Delete").click()
    expect(row(page, "Large evidence pack.csv")).to_contain_text("To be deleted")
    assert_accessible(page, "documents screen, delete staged")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(page.get_by_role("table", name="Documents uploaded by provider")).not_to_contain_text(
        "Large evidence pack.csv"
    )
    expect(page.locator("#receipt")).to_contain_text("Large evidence pack.csv")  # as deleted
    assert_accessible(page, "profile after deleting")

    # Cancel drops a staged upload.
    page.get_by_role("link", name="Upload or delete a document").click()
    page.get_by_label("Choose one or more files").set_input_files(files["Attendance 2026.csv"])
    page.get_by_role("button", name="Upload").click()
    expect(row(page, "Attendance 2026.csv")).to_contain_text("Not saved yet")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your changes to the documents have been cancelled"
    )
    expect(page.get_by_text("Attendance 2026.csv")).to_have_count(0)
    assert_accessible(page, "profile after Cancel")


def press_tab_until(page: Page, target: Locator, limit: int = 80) -> None:
    """Keyboard only: Tab (forwards) until `target` has the focus."""
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {target} with the Tab key")


def keep_file_chooser_intercepted(page: Page) -> None:
    """Playwright turns file chooser interception on without waiting for it when a first
    listener is added, and off when the last goes: a listener for the whole test has it
    on before Space is pressed, so `expect_file_chooser` cannot miss the chooser."""
    page.on("filechooser", lambda _chooser: None)


def test_upload_delete_and_save_by_keyboard_only(
    page: Page, own_server: Server, files: dict[str, Path]
) -> None:
    keep_file_chooser_intercepted(page)
    sign_in(page, own_server, "provider")
    press_tab_until(page, page.get_by_role("link", name="Upload or delete a document"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents Uploaded by Provider")
    assert_accessible(page, "documents screen by keyboard")

    file_input = page.get_by_label("Choose one or more files")
    press_tab_until(page, file_input)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files([files["Self-evaluation summary.pdf"], files["Attendance 2026.csv"]])
    press_tab_until(page, page.get_by_role("button", name="Upload"))
    page.keyboard.press("Enter")
    expect(row(page, "Attendance 2026.csv")).to_contain_text("Not saved yet")
    expect(page.locator(".govuk-inset-text")).to_be_focused()
    assert_accessible(page, "files staged by keyboard")

    # Save by keyboard, then come back and delete one.
    press_tab_until(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    assert_accessible(page, "profile after Save by keyboard")
    press_tab_until(page, page.get_by_role("link", name="Upload or delete a document"))
    page.keyboard.press("Enter")
    press_tab_until(page, row(page, "Attendance 2026.csv").get_by_role("link", name="Delete"))
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("Are you sure you want to delete ‘Attendance 2026.csv’?")
    ).to_be_focused()
    assert_accessible(page, "delete confirmation inline by keyboard")
    press_tab_until(page, page.get_by_role("button", name="Yes - Delete"))
    page.keyboard.press("Enter")
    expect(row(page, "Attendance 2026.csv")).to_contain_text("To be deleted")
    expect(page.locator(".govuk-inset-text")).to_be_focused()
    press_tab_until(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(page.locator("#receipt")).to_contain_text("Attendance 2026.csv")
    assert_accessible(page, "profile after delete by keyboard")

    # Cancel by keyboard.
    press_tab_until(page, page.get_by_role("link", name="Upload or delete a document"))
    page.keyboard.press("Enter")
    press_tab_until(page, page.get_by_label("Choose one or more files"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(files["Setup.exe"])
    press_tab_until(page, page.get_by_role("button", name="Upload"))
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "upload error by keyboard")
    page.keyboard.press("Tab")  # the summary's link leads to the field
    page.keyboard.press("Enter")
    expect(page.get_by_label("Choose one or more files")).to_be_focused()
    press_tab_until(page, page.get_by_role("button", name="Cancel"))
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "There were no changes to cancel"
    )
    assert_accessible(page, "profile after Cancel by keyboard")


def test_upload_delete_save_and_cancel_without_javascript(
    nojs_page: Page, own_server: Server, files: dict[str, Path]
) -> None:
    page = nojs_page
    open_documents_screen(page, own_server)
    assert_accessible(page, "documents screen without JavaScript")

    page.get_by_label("Choose one or more files").set_input_files(
        [files["Self-evaluation summary.pdf"], files["Attendance 2026.csv"]]
    )
    page.get_by_role("button", name="Upload").click()
    # Back on the screen, which says the upload is complete (no JavaScript to announce it).
    expect(page).to_have_url(re.compile(rf"^{re.escape(own_server.url)}/events/1/documents\?"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Upload complete. 2 files have been uploaded but not saved yet."
    )
    expect(row(page, "Attendance 2026.csv")).to_contain_text("Not saved yet")
    assert_accessible(page, "files staged without JavaScript")

    # Errors: nothing chosen, then a refused type.
    page.get_by_role("button", name="Upload").click()
    expect(page).to_have_title("Error: Documents Uploaded by Provider – Provider Portal")
    expect(page.locator("#file-error")).to_contain_text("Select a file to upload")
    assert_accessible(page, "no file chosen without JavaScript")
    page.get_by_label("Choose one or more files").set_input_files(files["Setup.exe"])
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#file-error")).to_contain_text("must be a PDF")
    expect(page.locator("#document-list tbody tr")).to_have_count(2)
    assert_accessible(page, "refused type without JavaScript")

    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your changes to the documents have been saved"
    )
    expect(page.locator("#receipt")).to_contain_text(hashlib.sha256(CSV).hexdigest())
    assert_accessible(page, "profile after Save without JavaScript")

    # Delete: the confirmation is its own page.
    page.get_by_role("link", name="Upload or delete a document").click()
    row(page, "Attendance 2026.csv").get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to delete this document?"
    )
    expect(page.get_by_text("Attendance 2026.csv", exact=True)).to_be_visible()
    assert_accessible(page, "delete confirmation page without JavaScript")
    page.get_by_role("link", name="Cancel deleting Attendance 2026.csv").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents Uploaded by Provider")
    row(page, "Attendance 2026.csv").get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Yes - Delete").click()
    expect(row(page, "Attendance 2026.csv")).to_contain_text("To be deleted")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Attendance 2026.csv"
    )
    assert_accessible(page, "delete staged without JavaScript")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(page.locator("#receipt")).to_contain_text("Attendance 2026.csv")
    assert_accessible(page, "profile after delete without JavaScript")

    # Cancel.
    page.get_by_role("link", name="Upload or delete a document").click()
    page.get_by_label("Choose one or more files").set_input_files(files["Large evidence pack.csv"])
    page.get_by_role("button", name="Upload").click()
    expect(row(page, "Large evidence pack.csv")).to_contain_text("Not saved yet")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your changes to the documents have been cancelled"
    )
    expect(page.get_by_text("Large evidence pack.csv")).to_have_count(0)
    assert_accessible(page, "profile after Cancel without JavaScript")


def test_inspector_publishes_an_ofsted_document_the_provider_sees_once_saved(
    page: Page, own_server: Server, files: dict[str, Path]
) -> None:
    sign_in(page, own_server, "lead.inspector")
    page.get_by_role("link", name="INS-2026-0415").click()
    page.get_by_role("link", name="Upload or delete an Ofsted document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents Uploaded by Ofsted")
    page.get_by_label("Choose one or more files").set_input_files(
        files["Self-evaluation summary.pdf"]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select what kind of document this is"
    )
    assert_accessible(page, "Ofsted upload without a kind")
    page.get_by_label("Final report").check()
    page.get_by_label("Choose one or more files").set_input_files(
        files["Self-evaluation summary.pdf"]
    )
    page.get_by_role("button", name="Upload").click()
    expect(row(page, "Self-evaluation summary.pdf")).to_contain_text("Final report")
    assert_accessible(page, "Ofsted document staged")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    assert_accessible(page, "profile after Ofsted Save")


OFSTED_TITLE = "Documents Uploaded by Ofsted"
LETTER = "Notification letter.pdf"  # a saved Ofsted document in the demo data


def test_inspector_uploads_deletes_and_saves_ofsted_documents_by_keyboard_only(
    page: Page, own_server: Server, files: dict[str, Path]
) -> None:
    keep_file_chooser_intercepted(page)
    sign_in(page, own_server, "lead.inspector")
    press_tab_until(page, page.get_by_role("link", name="INS-2026-0415"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    assert_accessible(page, "event page by keyboard")
    press_tab_until(page, page.get_by_role("link", name="Upload or delete an Ofsted document"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(OFSTED_TITLE)
    expect(row(page, LETTER)).to_contain_text("Saved")
    assert_accessible(page, "Ofsted documents screen by keyboard")

    # A file but no kind: the summary takes the focus and its link leads to the radios.
    file_input = page.get_by_label("Choose one or more files")
    press_tab_until(page, file_input)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(files["Self-evaluation summary.pdf"])
    press_tab_until(page, page.get_by_role("button", name="Upload"))
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select what kind of document this is")
    expect(summary).to_be_focused()
    expect(page).to_have_title(f"Error: {OFSTED_TITLE} – Provider Portal")
    expect(document_rows(page)).to_have_count(2)
    assert_accessible(page, "Ofsted upload without a kind, by keyboard")
    page.keyboard.press("Tab")  # the summary's link leads to the first kind
    expect(summary.get_by_role("link", name="Select what kind of document this is")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Draft report")).to_be_focused()

    # Arrow keys choose the kind; Space opens the file chooser.
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Final report")).to_be_focused()
    expect(page.get_by_label("Final report")).to_be_checked()
    expect(page.get_by_label("Draft report")).not_to_be_checked()
    press_tab_until(page, page.get_by_label("Choose one or more files"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(files["Self-evaluation summary.pdf"])
    press_tab_until(page, page.get_by_role("button", name="Upload"))
    page.keyboard.press("Enter")
    staged = row(page, "Self-evaluation summary.pdf")
    expect(staged).to_contain_text("Final report")
    expect(staged).to_contain_text("Not saved yet")
    expect(staged).to_contain_text("Helen Carter HMI")
    notice = page.locator(".govuk-inset-text")
    expect(notice).to_contain_text("‘Self-evaluation summary.pdf’ has been uploaded but not saved")
    expect(notice).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page).to_have_title(f"{OFSTED_TITLE} – Provider Portal")
    assert_accessible(page, "Ofsted document staged by keyboard")

    # Delete the saved letter: asked inline; Cancel puts the focus back on its link.
    delete_letter = row(page, LETTER).get_by_role("link", name="Delete")
    press_tab_until(page, delete_letter)
    page.keyboard.press("Enter")
    question = page.get_by_text(f"Are you sure you want to delete ‘{LETTER}’?")
    expect(question).to_be_focused()
    expect(page.get_by_text("The document will be deleted when you select Save.")).to_be_visible()
    assert_accessible(page, "Ofsted delete confirmation inline by keyboard")
    press_tab_until(page, page.get_by_role("link", name=f"Cancel deleting {LETTER}"))
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Are you sure you want to delete ‘{LETTER}’?")).to_have_count(0)
    expect(delete_letter).to_be_focused()
    expect(row(page, LETTER)).to_contain_text("Saved")
    page.keyboard.press("Enter")
    expect(question).to_be_focused()
    press_tab_until(page, page.get_by_role("link", name=f"Cancel deleting {LETTER}"))
    page.keyboard.press("Shift+Tab")  # back from Cancel to the button before it
    yes = page.get_by_role("button", name="Yes - Delete")
    expect(yes).to_be_focused()
    page.keyboard.press("Enter")
    expect(row(page, LETTER)).to_contain_text("To be deleted")
    expect(notice).to_contain_text(f"‘{LETTER}’ will be deleted when you save.")
    expect(notice).to_be_focused()
    expect(row(page, "Self-evaluation summary.pdf")).to_contain_text("Not saved yet")
    assert_accessible(page, "Ofsted delete staged by keyboard")

    press_tab_until(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Your changes to the documents have been saved")
    expect(banner).to_be_focused()
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("Receipt: documents uploaded by Ofsted")
    expect(receipt).to_contain_text(hashlib.sha256(PDF).hexdigest())
    expect(receipt.get_by_role("listitem")).to_have_text([LETTER])  # as deleted
    published = page.get_by_role("table", name="Documents uploaded by Ofsted")
    expect(
        published.get_by_role("row").filter(has_text="Self-evaluation summary.pdf")
    ).to_contain_text("Final report")
    expect(published).not_to_contain_text(LETTER)
    assert_accessible(page, "event page after Ofsted Save by keyboard")


def test_inspector_uploads_and_saves_ofsted_documents_without_javascript(
    nojs_page: Page, own_server: Server, files: dict[str, Path]
) -> None:
    page = nojs_page
    screen = f"{own_server.url}/events/1/ofsted-documents"
    sign_in(page, own_server, "lead.inspector")
    page.get_by_role("link", name="INS-2026-0415").click()
    page.get_by_role("link", name="Upload or delete an Ofsted document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OFSTED_TITLE)
    expect(page).to_have_url(screen)
    assert_accessible(page, "Ofsted documents screen without JavaScript")

    # A file but no kind: the summary links to the first kind; nothing is added.
    page.get_by_label("Choose one or more files").set_input_files(
        files["Self-evaluation summary.pdf"]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page).to_have_title(f"Error: {OFSTED_TITLE} – Provider Portal")
    summary = page.locator(".govuk-error-summary")
    link = summary.get_by_role("link", name="Select what kind of document this is")
    expect(link).to_have_attribute("href", "#kind")
    expect(page.locator("#kind-error")).to_contain_text("Select what kind of document this is")
    expect(document_rows(page)).to_have_count(2)
    expect(page.get_by_text("Self-evaluation summary.pdf")).to_have_count(0)
    assert_accessible(page, "Ofsted upload without a kind, without JavaScript")

    # A kind but an empty file: the error is on the file, the kind chosen is kept.
    page.get_by_label("Letter", exact=True).check()
    page.get_by_label("Choose one or more files").set_input_files(files["Empty notes.txt"])
    page.get_by_role("button", name="Upload").click()
    expect(page).to_have_title(f"Error: {OFSTED_TITLE} – Provider Portal")
    link = summary.get_by_role("link", name="The selected file is empty")
    expect(link).to_have_attribute("href", "#file")
    expect(page.locator("#file-error")).to_contain_text("The selected file is empty")
    expect(page.locator("#kind-error")).to_have_count(0)
    expect(page.get_by_label("Letter", exact=True)).to_be_checked()
    expect(document_rows(page)).to_have_count(2)
    assert_accessible(page, "Ofsted empty file without JavaScript")
    link.click()
    expect(page).to_have_url(f"{screen}#file")
    expect(page.get_by_label("Choose one or more files")).to_be_focused()

    # Now right: the kind is still chosen, so only the file is needed.
    page.get_by_label("Final report").check()
    page.get_by_label("Choose one or more files").set_input_files(
        files["Self-evaluation summary.pdf"]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(screen)}\?done="))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Upload complete. ‘Self-evaluation summary.pdf’ has been uploaded but not saved yet."
    )
    expect(page).to_have_title(f"{OFSTED_TITLE} – Provider Portal")
    staged = row(page, "Self-evaluation summary.pdf")
    expect(staged).to_contain_text("Final report")
    expect(staged).to_contain_text("Not saved yet")
    expect(page.get_by_text("You have changes that are not saved yet.")).to_be_visible()
    assert_accessible(page, "Ofsted document staged without JavaScript")

    # Delete the saved letter: the confirmation is its own page.
    row(page, LETTER).get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to delete this document?"
    )
    expect(page.locator(".portal-file-name").filter(has_text=LETTER)).to_contain_text("letter")
    expect(page.get_by_text("The document will be deleted when you select Save.")).to_be_visible()
    assert_accessible(page, "Ofsted delete confirmation page without JavaScript")
    page.get_by_role("link", name=f"Cancel deleting {LETTER}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OFSTED_TITLE)
    expect(row(page, LETTER)).to_contain_text("Saved")
    row(page, LETTER).get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Yes - Delete").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(screen)}\?done="))
    expect(row(page, LETTER)).to_contain_text("To be deleted")
    assert_accessible(page, "Ofsted delete staged without JavaScript")

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Primary School")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your changes to the documents have been saved"
    )
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text(hashlib.sha256(PDF).hexdigest())
    expect(receipt.get_by_role("listitem")).to_have_text([LETTER])  # as deleted
    published = page.get_by_role("table", name="Documents uploaded by Ofsted")
    expect(
        published.get_by_role("row").filter(has_text="Self-evaluation summary.pdf")
    ).to_contain_text("Final report")
    expect(published).not_to_contain_text(LETTER)
    assert_accessible(page, "event page after Ofsted Save without JavaScript")

    # Cancel drops a staged upload: gone from the event page and from the screen.
    page.get_by_role("link", name="Upload or delete an Ofsted document").click()
    page.get_by_label("Other", exact=True).check()
    page.get_by_label("Choose one or more files").set_input_files(files["Attendance 2026.csv"])
    page.get_by_role("button", name="Upload").click()
    expect(row(page, "Attendance 2026.csv")).to_contain_text("Not saved yet")
    expect(row(page, "Attendance 2026.csv")).to_contain_text("Other")
    assert_accessible(page, "Ofsted upload to cancel without JavaScript")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your changes to the documents have been cancelled"
    )
    expect(page.get_by_text("Attendance 2026.csv")).to_have_count(0)
    expect(published).to_contain_text("Self-evaluation summary.pdf")
    assert_accessible(page, "event page after Ofsted Cancel without JavaScript")
    page.get_by_role("link", name="Upload or delete an Ofsted document").click()
    expect(page.get_by_text("Attendance 2026.csv")).to_have_count(0)
    expect(row(page, "Self-evaluation summary.pdf")).to_contain_text("Saved")
    expect(page.get_by_text("You have no changes to save.")).to_be_visible()


# --- uploads that fail -------------------------------------------------------------


@pytest.fixture
def scanning_server(tmp_path: Path, clamd: Clamd) -> Iterator[Server]:
    running = start_server(tmp_path / "portal", {"PORTAL_CLAMD": str(clamd.socket_path)})
    yield running
    running.stop()


@pytest.fixture
def failing_page(browser: Browser) -> Iterator[Page]:
    """A page like `page`, where the one console error expected is allowed: htmx logs an
    upload the server answered with an error status (the test provokes it)."""
    with watched_page(browser, allowed=("Response Status Error Code",)) as opened:
        yield opened


def expect_upload_error(page: Page, message: str) -> None:
    """The message on screen: in the error summary, which has focus and links to the
    field, and next to the field itself; the title says there is an error."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(message)
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", "#file")
    expect(page.locator("#file-error")).to_be_visible()
    expect(page.locator("#file-error")).to_contain_text(message)
    expect(page.get_by_label("Choose one or more files")).to_have_attribute(
        "aria-describedby", "file-hint file-error"
    )
    expect(page).to_have_title("Error: Documents Uploaded by Provider – Provider Portal")


def test_a_virus_is_refused_with_its_message(
    page: Page, scanning_server: Server, files: dict[str, Path], tmp_path: Path
) -> None:
    virus = tmp_path / "Minutes.txt"
    virus.write_bytes(EICAR)
    files_dir = scanning_server.data_dir / "files"
    before = set(files_dir.iterdir())  # the demo's own documents
    open_documents_screen(page, scanning_server)
    page.get_by_label("Choose one or more files").set_input_files(
        [files["Self-evaluation summary.pdf"], virus]
    )
    page.get_by_role("button", name="Upload").click()
    expect_upload_error(page, "‘Minutes.txt’ contains a virus")
    expect(row(page, "Self-evaluation summary.pdf")).to_contain_text("Not saved yet")
    expect(document_rows(page)).to_have_count(1)
    assert_accessible(page, "documents screen, virus refused")
    [added] = set(files_dir.iterdir()) - before  # the clean file only, no temporary file
    assert not added.name.endswith(".part")


def test_a_virus_is_refused_without_javascript(
    nojs_page: Page, scanning_server: Server, tmp_path: Path
) -> None:
    virus = tmp_path / "Minutes.txt"
    virus.write_bytes(EICAR)
    open_documents_screen(nojs_page, scanning_server)
    nojs_page.get_by_label("Choose one or more files").set_input_files(virus)
    nojs_page.get_by_role("button", name="Upload").click()
    expect(nojs_page.locator("#file-error")).to_contain_text("The selected file contains a virus")
    expect(nojs_page).to_have_title("Error: Documents Uploaded by Provider – Provider Portal")
    assert_accessible(nojs_page, "virus refused without JavaScript")


def test_a_refused_name_shows_its_message_on_screen(
    page: Page, own_server: Server, tmp_path: Path
) -> None:
    disguised = tmp_path / "report.pdf.html"
    disguised.write_bytes(PDF)
    open_documents_screen(page, own_server)
    page.get_by_label("Choose one or more files").set_input_files(disguised)
    page.get_by_role("button", name="Upload").click()
    expect_upload_error(page, "The selected file must be a PDF, Word, Excel")
    assert_accessible(page, "documents screen, name refused")


def test_an_upload_the_server_fails_shows_a_message_on_screen(
    failing_page: Page, own_server: Server, files: dict[str, Path]
) -> None:
    page = failing_page
    open_documents_screen(page, own_server)
    # The store cannot be written (as when its disk fails): the server answers an error.
    files_dir = own_server.data_dir / "files"
    shutil.rmtree(files_dir, ignore_errors=True)
    files_dir.write_text("not a folder")
    page.get_by_label("Choose one or more files").set_input_files(
        files["Self-evaluation summary.pdf"]
    )
    page.get_by_role("button", name="Upload").click()
    expect_upload_error(page, "The selected file could not be uploaded")
    expect(page.locator(".portal-upload-progress")).to_be_hidden()
    expect(page.get_by_role("button", name="Upload")).to_be_enabled()
    assert_accessible(page, "documents screen, upload failed on the server")
    # By keyboard: the summary's link takes focus to the field, as on a server's page.
    page.keyboard.press("Tab")
    expect(page.locator(".govuk-error-summary a")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Choose one or more files")).to_be_focused()

    # Once the store is back, the same form uploads, and the message goes.
    files_dir.unlink()
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("has been uploaded")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page).to_have_title("Documents Uploaded by Provider – Provider Portal")


def test_an_upload_far_too_large_shows_a_message_on_screen(
    failing_page: Page, tmp_path: Path
) -> None:
    small = {"PORTAL_UPLOAD_MAX_BYTES": "1000", "PORTAL_EVENT_QUOTA_BYTES": "1000"}
    server = start_server(tmp_path / "portal", small)
    try:
        page = failing_page
        big = tmp_path / "Evidence.csv"
        big.write_bytes(CSV * 60_000)  # past every limit: refused before it is read
        open_documents_screen(page, server)
        page.get_by_label("Choose one or more files").set_input_files(big)
        page.get_by_role("button", name="Upload").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        # A 413, or a connection the server closed while the browser was still sending.
        expect(summary).to_contain_text(
            re.compile("must be smaller than 1 KB|could not be uploaded")
        )
        expect(page.locator("#file-error")).to_be_visible()
        assert_accessible(page, "documents screen, upload far too large")
    finally:
        server.stop()
