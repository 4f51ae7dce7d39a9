"""`portal demo --port N`: the links in its mail lead to port N (PORTAL_BASE_URL follows
--host and --port unless it is set)."""

from __future__ import annotations

import email
import re
import time
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import httpx

from portal.cli import demo_base_url
from tests.deploy.servers import portal_env, start
from tests.outbox import HREF, TEXT_LINK

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _lock(url: str, username: str) -> None:
    """Five wrong passwords through the sign-in form: the lockout's mail."""
    with httpx.Client(base_url=url, timeout=30) as http:
        for _ in range(5):
            page = http.get("/sign-in")
            token = CSRF.search(page.text)
            assert token, page.text
            answer = http.post(
                "/sign-in",
                data={"username": username, "password": "wrong", "csrf_token": token.group(1)},
            )
            assert answer.status_code == 200
        assert "Your account is locked" in answer.text


def _outbox(data_dir: Path, count: int) -> list[EmailMessage]:
    deadline = time.monotonic() + 30
    while True:  # the demo's mail worker writes the .eml within a few seconds
        files = sorted((data_dir / "outbox").glob("*.eml"))
        if len(files) >= count or time.monotonic() > deadline:
            assert len(files) >= count, f"{len(files)} mail(s) in the outbox"
            return [
                email.message_from_bytes(path.read_bytes(), policy=default)  # type: ignore[misc]
                for path in files
            ]
        time.sleep(0.2)


def test_demo_links_use_its_own_port(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = start(portal_env(data_dir), tmp_path / "demo.log", command="demo")
    try:
        port = server.url.rsplit(":", 1)[1]
        _lock(server.url, "provider")
        (message,) = _outbox(data_dir, 1)
    finally:
        server.stop()
    assert f"Provider Portal demo: http://127.0.0.1:{port}/" in server.log.read_text()
    assert message["Subject"] == "Your Provider Portal account is locked"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    found = TEXT_LINK.findall(text) + HREF.findall(html)
    assert f"http://127.0.0.1:{port}/sign-in" in found
    assert found and all(link.startswith(f"http://127.0.0.1:{port}/") for link in found), found


def test_an_explicit_public_address_wins(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = portal_env(data_dir, PORTAL_BASE_URL="http://portal.example.test:9999")
    server = start(env, tmp_path / "demo.log", command="demo")
    try:
        _lock(server.url, "provider")
        (message,) = _outbox(data_dir, 1)
    finally:
        server.stop()
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "http://portal.example.test:9999/sign-in" in text


def test_the_demo_address_for_a_host() -> None:
    assert demo_base_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert demo_base_url("0.0.0.0", 8123) == "http://127.0.0.1:8123"  # every address: loopback
    assert demo_base_url("::", 8123) == "http://[::1]:8123"
    assert demo_base_url("localhost", 80) == "http://localhost:80"
