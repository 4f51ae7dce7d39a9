"""e2e fixtures: the portal running as `portal demo` would run it, and Debian's
Chromium driven by Playwright (Playwright cannot download its own browser here)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
DEMO_PASSWORD = "Portal2026demo"


@dataclass
class Server:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, env: dict[str, str] | None = None) -> Server:
    """`portal demo` on a free port with its own data dir; returns once it answers."""
    port = free_port()
    log = data_dir / "server.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "portal.cli",
            "--data-dir",
            str(data_dir),
            "demo",
            "--port",
            str(port),
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env={
            **os.environ,
            "PORTAL_SECRET_KEY": "e2e-secret",
            "PORTAL_DATABASE_URL": "",
            "PORTAL_REDIS_URL": "",
            "PORTAL_SMTP_URL": "",
            **(env or {}),
        },
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"portal demo exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/sign-in", timeout=2) as response:
                if response.status == 200:
                    return Server(url=url, data_dir=data_dir, process=process, log=log)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"portal demo did not answer in time:\n{log.read_text()}")


@contextmanager
def running_server(data_dir: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """`start_server`, stopped when the block ends."""
    running = start_server(data_dir, env)
    try:
        yield running
    finally:
        running.stop()


def run_cli(server: Server, *args: str, env: dict[str, str] | None = None) -> str:
    """`portal <args>` on the server's data dir (as an administrator would run it);
    its output, once it has succeeded."""
    done = subprocess.run(
        [sys.executable, "-m", "portal.cli", "--data-dir", str(server.data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "PORTAL_DATABASE_URL": "",
            "PORTAL_SMTP_URL": "",
            "PORTAL_REDIS_URL": "",
            **(env or {}),
        },
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One demo server for the run. Tests that change shared demo data use their own."""
    with running_server(tmp_path_factory.mktemp("e2e-demo")) as running:
        yield running


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[Server]:
    """A demo server of the test's own, for a test that changes demo data."""
    with running_server(tmp_path / "portal") as running:
        yield running


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo server for one module whose tests each change different demo data."""
    with running_server(tmp_path_factory.mktemp("e2e-module")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: sync Playwright keeps an event loop marked as running
    # in this thread while it lives, and the async tests a parallel worker runs after an
    # e2e module need that thread free again.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _watch(context: BrowserContext, problems: list[str], allowed: tuple[str, ...] = ()) -> None:
    """Console errors and page errors go to `problems`, except a failed resource load
    and the errors containing one of `allowed` (ones a test provokes on purpose)."""
    ignored = ("Failed to load resource", *allowed)

    def on_console(message: ConsoleMessage) -> None:
        # A CSP refusal or a script error is a defect even if the page still works.
        if message.type == "error" and not any(text in message.text for text in ignored):
            problems.append(message.text)

    context.on("page", lambda page: page.on("console", on_console))
    context.on("weberror", lambda error: problems.append(str(error.error)))


@contextmanager
def watched_page(browser: Browser, allowed: tuple[str, ...] = (), who: str = "") -> Iterator[Page]:
    """A page in a browser context of its own; the block fails if the browser logged an
    error (see `_watch`)."""
    context = browser.new_context()
    problems: list[str] = []
    _watch(context, problems, allowed)
    new_page = context.new_page()
    new_page.set_default_timeout(10_000)
    try:
        yield new_page
    finally:
        context.close()
    assert not problems, f"browser console errors{who}: {problems}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with watched_page(browser) as new_page:
        yield new_page


@pytest.fixture
def provider_page(browser: Browser) -> Iterator[Page]:
    """A second browser, the provider's, beside `page` (another user's)."""
    with watched_page(browser) as new_page:
        yield new_page


@pytest.fixture
def nojs_page(browser: Browser) -> Iterator[Page]:
    """The same browser with JavaScript switched off."""
    context = browser.new_context(java_script_enabled=False)
    helper_context = browser.new_context()
    new_page = context.new_page()
    new_page.set_default_timeout(10_000)
    new_page.portal_axe_helper = helper_context.new_page()  # type: ignore[attr-defined]
    yield new_page
    context.close()
    helper_context.close()


def sign_in(page: Page, server: Server, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    # Signed in once the sign-in page has gone (htmx redirects, or the form posts).
    page.wait_for_function(
        "() => !document.querySelector('#sign-in-form') || document.querySelector('.govuk-error-summary')"
    )
    page.wait_for_load_state()
