"""Collects every distinct full HTML page state the tests receive and checks them with the
Nu Html Checker (vnu.jar from the npm package vnu-jar, run on the machine's Java) once, at
the end of the run: one Java start-up for all pages.

A page state is its markup with what changes from request to request taken out (CSRF
tokens, CSP nonces, request ids, database ids and other numbers): the same page with other
tokens is checked once, and two pages that differ in anything else, even at the same
length, are both checked. Parallel workers share one folder and claim each state with an
exclusive create, so a state is written once whichever worker met it first.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

VNU_VERSION = "26.9.27"
ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "vnu"
# One folder for the whole run: parallel workers inherit it from the main process.
_pages_dir = Path(
    os.environ.setdefault("PORTAL_TEST_PAGES_DIR", tempfile.mkdtemp(prefix="portal-pages-"))
)
_seen: set[str] = set()

# What varies between two fetches of the same page state. The long tokens go before
# the numbers are renumbered, which would cut them into pieces.
_VARYING = [
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
    (re.compile(r"'nonce-[^']*'"), "'nonce-'"),
    (re.compile(r'name="csrf_token" value="[^"]*"'), 'name="csrf_token" value=""'),
    (re.compile(r"X-CSRF-Token(&#34;|&quot;|\"): (&#34;|&quot;|\")[^&\"]*"), "X-CSRF-Token"),
    (re.compile(r"\b[0-9a-f]{16,}\b"), "HEX"),  # request ids, tokens, hashes
]
_NUMBER = re.compile(r"\d+")


def _renumber(html: str) -> str:
    """Numbers (database ids, counters in factory names, dates) by order of first
    appearance: ids that vary between tests compare equal, while a page that repeats
    an id stays apart from one that does not (a duplicate id is invalid HTML)."""
    seen: dict[str, str] = {}
    return _NUMBER.sub(lambda m: seen.setdefault(m.group(), f"#{len(seen)}"), html)


def normalise(html: str) -> str:
    for pattern, replacement in _VARYING:
        html = pattern.sub(replacement, html)
    return _renumber(html)


def page_key(html: str) -> str:
    """The page state's name: a hash of its normalised markup."""
    return hashlib.sha256(normalise(html).encode()).hexdigest()[:20]


def _claim(key: str) -> bool:
    """True for the first process of the run to meet this page state."""
    try:
        os.close(os.open(_pages_dir / f"{key}.seen", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def record_page(response: httpx.Response) -> None:
    body = response.text
    if not body.lstrip().lower().startswith("<!doctype html"):
        return
    key = page_key(body)
    if key in _seen:
        return
    _seen.add(key)
    if not _claim(key):
        return
    name = response.request.url.path.strip("/").replace("/", "_")[:80] or "root"
    (_pages_dir / f"{name}-{response.status_code}-{key}.html").write_text(body, encoding="utf-8")


def vnu_jar() -> Path:
    jar = CACHE / "package" / "build" / "dist" / "vnu.jar"
    if not jar.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "pack", "--silent", f"vnu-jar@{VNU_VERSION}"],
            cwd=CACHE,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        tarball = next(CACHE.glob("vnu-jar-*.tgz"))
        subprocess.run(["tar", "-xzf", tarball.name], cwd=CACHE, check=True)
        tarball.unlink()
    return jar


@dataclass
class Report:
    pages: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def validate_recorded_pages() -> Report:
    """Every recorded page state through one vnu run; the folder is removed when all pass
    (kept for reading when not)."""
    pages = sorted(_pages_dir.glob("*.html"))
    if not pages:
        return Report()
    started = time.monotonic()
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(vnu_jar()),
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, pages),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [m for m in messages if m.get("type") == "error"]
    report = Report(
        len(pages),
        [f"{Path(m['url']).name}:{m.get('lastLine', '?')}: {m['message']}" for m in errors],
        time.monotonic() - started,
    )
    if not report.problems:
        shutil.rmtree(_pages_dir, ignore_errors=True)
    return report
