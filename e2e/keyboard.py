"""Keyboard only, as a user without a mouse moves: Tab and Shift+Tab until a control has
the focus (never `.focus()`, which would reach a control the keyboard cannot), then
Enter, Space or typing."""

from __future__ import annotations

from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError


def _press_until(page: Page, target: Locator, key: str, max_steps: int) -> None:
    try:
        target.wait_for(state="attached")
    except PlaywrightTimeoutError:
        raise AssertionError(f"{target} is not on the page: there is nothing to Tab to") from None
    for _ in range(max_steps + 1):
        # The locator is found afresh each time: an htmx swap may have replaced it.
        if target.evaluate("(el) => document.activeElement === el"):
            return
        page.keyboard.press(key)
    focused = page.evaluate("() => document.activeElement && document.activeElement.outerHTML")
    raise AssertionError(
        f"{max_steps} presses of {key} did not reach {target}; the focus is on {focused}"
    )


def tab_to(page: Page, target: Locator, max_steps: int = 100) -> None:
    """Press Tab until `target` has the focus; fail if it is not reached (unreachable by
    keyboard, or a keyboard trap) within `max_steps` presses."""
    _press_until(page, target, "Tab", max_steps)


def shift_tab_to(page: Page, target: Locator, max_steps: int = 100) -> None:
    """Press Shift+Tab until `target` has the focus (moving back up the page)."""
    _press_until(page, target, "Shift+Tab", max_steps)


def type_into(page: Page, field: Locator, text: str, max_steps: int = 100) -> None:
    """Tab to `field` and type `text` as a user would (no fill)."""
    tab_to(page, field, max_steps)
    page.keyboard.type(text)


def move_to(page: Page, target: Locator, max_steps: int = 100) -> None:
    """Tab to `target`, or Shift+Tab when it is above the focused control, as a user
    goes back up a page."""
    above = target.evaluate(
        "(el) => { const at = document.activeElement;"
        " return !!at && at !== document.body"
        " && !!(el.compareDocumentPosition(at) & Node.DOCUMENT_POSITION_FOLLOWING); }"
    )
    (shift_tab_to if above else tab_to)(page, target, max_steps)


def retype_into(page: Page, field: Locator, text: str) -> None:
    """Move to a field that has a value, select it all and type over it."""
    move_to(page, field)
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.type(text)


def press_on(page: Page, target: Locator, key: str = "Enter", max_steps: int = 100) -> None:
    """Tab to a link or button and press it (Enter, or Space for a button or checkbox)."""
    tab_to(page, target, max_steps)
    page.keyboard.press(key)


def sign_in_by_keyboard(page: Page, url: str, username: str, password: str) -> None:
    """The sign-in page from the top, by keyboard: Tab to the fields, type, Enter."""
    page.goto(f"{url}/sign-in")
    type_into(page, page.get_by_label("Username"), username)
    type_into(page, page.get_by_label("Password", exact=True), password)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => !document.querySelector('#sign-in-form') || document.querySelector('.govuk-error-summary')"
    )
    page.wait_for_load_state()


def sign_out_by_keyboard(page: Page) -> None:
    """Back up to the header's Sign out button and press it."""
    move_to(page, page.get_by_role("button", name="Sign out"), max_steps=120)
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name="You have signed out").wait_for()
