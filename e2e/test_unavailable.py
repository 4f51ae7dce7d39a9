"""'Sorry, the service is unavailable' in Chromium: Redis (sessions) stops under a signed-in
provider. An htmx upload swaps the page in place of the screen's content, focus on its
heading; a reload, and a browser without JavaScript, get the full page. axe on each state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.web.services import RedisServer, redis_server

from e2e.axe import assert_accessible
from e2e.conftest import Server, sign_in, start_server
from e2e.keyboard import tab_to

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HEADING = "Sorry, the service is unavailable"


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with redis_server(tmp_path) as running:
        yield running


@pytest.fixture
def own_server(tmp_path: Path, redis: RedisServer) -> Iterator[Server]:
    running = start_server(tmp_path / "portal", env={"PORTAL_REDIS_URL": redis.url})
    yield running
    running.stop()


def assert_unavailable(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
    expect(page).to_have_title(f"{HEADING} – Provider Portal")
    expect(page.get_by_text("Nothing you have saved has been lost.")).to_be_visible()
    expect(page.get_by_text("You will be able to use the service later.")).to_be_visible()


@pytest.mark.parametrize("by", ["mouse", "keyboard"])
def test_an_htmx_upload_during_an_outage_shows_the_page_in_place(
    page: Page, own_server: Server, redis: RedisServer, tmp_path: Path, by: str
) -> None:
    sign_in(page, own_server, "provider")
    page.get_by_role("link", name="Upload or delete a document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents Uploaded by Provider")
    documents_url = page.url
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(PDF)
    page.get_by_label("Choose one or more files").set_input_files(str(plan))

    redis.stop()
    with page.expect_response(lambda r: r.request.method == "POST") as answered:
        if by == "mouse":
            page.get_by_role("button", name="Upload").click()
        else:
            tab_to(page, page.get_by_role("button", name="Upload"))
            page.keyboard.press("Enter")
    assert answered.value.status == 503
    assert_unavailable(page)
    assert page.url == documents_url  # swapped in place: reloading tries the screen again
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.tagName === 'H1'"
    )
    assert_accessible(page, "unavailable (htmx swap)")

    page.reload()
    assert_unavailable(page)
    assert_accessible(page, "unavailable (full page)")

    redis.start()  # back, empty: the session went with it, so: sign in again
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the Provider Portal")


def test_without_javascript_the_outage_is_the_full_page(
    nojs_page: Page, own_server: Server, redis: RedisServer
) -> None:
    sign_in(nojs_page, own_server, "provider")
    nojs_page.get_by_role("link", name="Upload or delete a document").click()
    redis.stop()
    nojs_page.get_by_role("button", name="Save").click()  # a plain POST
    assert_unavailable(nojs_page)
    assert_accessible(nojs_page, "unavailable (no JavaScript)")
