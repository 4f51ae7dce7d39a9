"""The Nu Html Checker's part of the run: every distinct page state is checked once, and
an invalid page fails the run itself, not just a line printed after "N passed"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.html_check import page_key

ROOT = Path(__file__).resolve().parents[1]

PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title} – Provider Portal</title>
<script nonce="{nonce}" src="/static/js/portal.js"></script></head>
<body data-hx-headers="{{&#34;X-CSRF-Token&#34;: &#34;{token}&#34;}}">
<form method="post" action="/events/{event}/survey">
<input type="hidden" name="csrf_token" value="{token}">
<p class="govuk-body">{message}</p></form>
<p>If you ask for help with this, quote the reference <strong>{request_id}</strong>.</p>
</body></html>"""


def _page(**changes: str) -> str:
    values = {
        "title": "Survey",
        "nonce": "kP3x9Qz-1aB_cD2eF3gH4i",
        "token": "a" * 64,
        "event": "17",
        "message": "Enter your name",
        "request_id": "0123456789abcdef",
    }
    return PAGE.format(**{**values, **changes})


def test_the_same_state_with_other_tokens_and_ids_is_one_page() -> None:
    again = _page(nonce="Zz9-other_nonce_value", token="b" * 64, event="4213")
    assert page_key(again) == page_key(_page())
    assert page_key(_page(request_id="fedcba9876543210")) == page_key(_page())


def test_states_of_the_same_length_are_two_pages() -> None:
    # Keyed by length (as before) these were one page and the second was never checked.
    other = _page(message="Enter your town")
    assert len(other) == len(_page())
    assert page_key(other) != page_key(_page())
    assert page_key(_page(title="Error: Survey")) != page_key(_page())


def test_a_repeated_id_is_its_own_state() -> None:
    rows = '<li id="doc-{}">a</li><li id="doc-{}">b</li>'
    distinct = _page(message=rows.format(31, 32))
    assert page_key(_page(message=rows.format(7, 8))) == page_key(distinct)
    assert page_key(_page(message=rows.format(31, 31))) != page_key(distinct)


BROKEN_PAGE_TEST = """
import httpx
from tests.html_check import record_page

def test_fetches_a_broken_page() -> None:
    request = httpx.Request("GET", "http://testserver.local/broken")
    html = "<!DOCTYPE html><html lang=en><title>x</title><p><div>Unclosed</p></html>"
    record_page(httpx.Response(200, text=html, request=request))
"""


def test_an_invalid_page_fails_the_run(tmp_path: Path) -> None:
    (tmp_path / "test_broken.py").write_text(BROKEN_PAGE_TEST)
    pages = tmp_path / "pages"  # a folder of its own: not this run's recorded pages
    pages.mkdir()
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-c", os.devnull, "--rootdir", str(tmp_path),
            "-p", "tests.conftest", "-p", "no:xdist", "-p", "no:cacheprovider",
            str(tmp_path / "test_broken.py"),
        ],
        cwd=ROOT,
        env={**os.environ, "PORTAL_TEST_PAGES_DIR": str(pages)},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    last_line = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed" in last_line and "html errors" in last_line
    assert "Unclosed element “div”" in result.stdout
    assert "1 distinct page states checked in " in result.stdout
