"""Clients that misbehave, against a real `portal serve` (uvicorn) over real sockets: an
upload that stalls after a few bytes is given up on after PORTAL_UPLOAD_IDLE_SECONDS (2 s
here) with its temporary file removed, and does not hold a graceful shutdown; a browser that
goes away mid-upload or mid-download is one log line, never a traceback."""

from __future__ import annotations

import secrets
import signal
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.deploy.forms import form_to, link
from tests.deploy.servers import Server, portal_env, start

IDLE_SECONDS = 2
SHUTDOWN_SECONDS = 30  # far longer than the idle limit: a shutdown that waits shows


@dataclass
class Served:
    server: Server
    http: httpx.Client
    documents: str  # the provider's documents screen (its upload form posts here)
    fields: dict[str, str]  # the upload form's fields (the CSRF token among them)
    files_dir: Path

    @property
    def address(self) -> tuple[str, int]:
        url = urlsplit(self.server.url)
        return url.hostname or "127.0.0.1", url.port or 80

    def cookies(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())

    def log_mark(self) -> int:
        return len(self.server.lines())

    def lines_since(self, mark: int) -> list[str]:
        return self.server.lines()[mark:]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("stalls")
    env = portal_env(
        tmp / "data",
        PORTAL_DATABASE_URL="",
        PORTAL_UPLOAD_IDLE_SECONDS=str(IDLE_SECONDS),
        PORTAL_SHUTDOWN_SECONDS=str(SHUTDOWN_SECONDS),
    )
    demo = start(env, tmp / "demo.log", command="demo")  # the demo data, in SQLite
    demo.stop()
    server = start(env, tmp / "serve.log")
    http = httpx.Client(base_url=server.url, follow_redirects=True, timeout=30)
    try:
        sign_in = form_to(http.get("/sign-in").text, "/sign-in")
        profile = http.post(
            "/sign-in", data=sign_in.data(username="provider", password="Portal2026demo")
        )
        documents = link(profile.text, "Upload or delete a document")
        fields = form_to(http.get(documents).text, documents).data(kind="other")
        yield Served(server, http, documents, fields, tmp / "data" / "files")
    finally:
        http.close()
        server.stop()


def upload_body(fields: dict[str, str], boundary: str, file_bytes: bytes) -> bytes:
    """The start of a browser's upload: the form's fields, then a file part's first bytes."""
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    return (
        body
        + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + b"%PDF-1.4\n"
        + file_bytes
    )


def start_upload(served: Served, *, announced: int = 5_000_000) -> socket.socket:
    """A raw client that sends the headers of a 5 MB upload and its first 64 KB, then
    nothing more (the socket is left open: a stalled client)."""
    boundary = secrets.token_hex(12)
    body = upload_body(served.fields, boundary, secrets.token_bytes(64 * 1024))
    host, port = served.address
    sock = socket.create_connection((host, port), timeout=30)
    head = (
        f"POST {served.documents} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Cookie: {served.cookies()}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {announced}\r\n\r\n"
    ).encode()
    sock.sendall(head + body)
    return sock


def partial_files(served: Served) -> list[Path]:
    return [p for p in served.files_dir.glob("*") if p.suffix == ".part"]


def wait_for(check: object, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def request_lines(lines: list[str], text: str) -> list[str]:
    return [line for line in lines if text in line]


def test_a_stalled_upload_is_answered_408_and_its_temporary_file_removed(
    served: Served,
) -> None:
    mark = served.log_mark()
    sock = start_upload(served)
    started = time.monotonic()
    wait_for(lambda: partial_files(served), timeout=10)  # the upload was under way
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection without an answer"
        answer += chunk
    waited = time.monotonic() - started
    sock.close()
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert IDLE_SECONDS - 0.5 < waited < IDLE_SECONDS + 4, waited
    wait_for(lambda: not partial_files(served))
    wait_for(lambda: request_lines(served.lines_since(mark), f"POST {served.documents} "))
    lines = served.lines_since(mark)
    [line] = request_lines(lines, f"POST {served.documents} ")
    assert " 408 " in line and "WARNING" in line and "problem=request body stalled" in line
    assert not request_lines(lines, "Traceback"), lines


def test_a_browser_gone_mid_upload_is_one_line_and_leaves_no_file(served: Served) -> None:
    mark = served.log_mark()
    sock = start_upload(served)
    wait_for(lambda: partial_files(served), timeout=10)
    sock.close()  # the tab closed: the rest of the body never comes
    wait_for(lambda: request_lines(served.lines_since(mark), f"POST {served.documents} "))
    wait_for(lambda: not partial_files(served))
    time.sleep(0.5)  # anything else it would log
    lines = served.lines_since(mark)
    assert len(lines) == 1, lines
    assert " 499 " in lines[0] and "problem=client closed the connection" in lines[0]
    assert " INFO " in lines[0]


def test_a_browser_gone_mid_download_is_one_line(served: Served) -> None:
    http = served.http
    big = b"%PDF-1.4\n" + secrets.token_bytes(30 * 1024 * 1024)  # more than sockets buffer
    page = http.post(
        served.documents, data=served.fields, files={"file": ("big.pdf", big, "application/pdf")}
    )
    save = form_to(page.text, f"{served.documents}/save")
    saved = http.post(save.action, data=save.data(button="Save"))
    assert saved.status_code == 200
    documents = http.get(served.documents).text
    download = link(documents, "big.pdf", href=r".*/documents/\d+/download")
    mark = served.log_mark()
    host, port = served.address
    sock = socket.create_connection((host, port), timeout=30)
    sock.sendall(
        f"GET {download} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {served.cookies()}\r\n\r\n".encode()
    )
    received = sock.recv(65536)
    assert received.startswith(b"HTTP/1.1 200 ")
    sock.close()  # gone after the first bytes
    wait_for(lambda: request_lines(served.lines_since(mark), f"GET {download} "))
    time.sleep(0.5)  # anything else it would log
    lines = served.lines_since(mark)
    [line] = request_lines(lines, f"GET {download} ")
    assert "problem=client closed the connection mid-response" in line and " INFO " in line
    assert [line for line in lines if "portal.request" not in line] == []  # nothing else


def test_a_stalled_upload_does_not_hold_a_graceful_shutdown(served: Served) -> None:
    sock = start_upload(served)
    wait_for(lambda: partial_files(served), timeout=10)
    served.server.process.send_signal(signal.SIGTERM)
    stopping = time.monotonic()
    served.server.process.wait(SHUTDOWN_SECONDS + 10)
    took = time.monotonic() - stopping
    sock.close()
    assert took < IDLE_SECONDS + 4, took  # not the SHUTDOWN_SECONDS (30 s) it may take
    assert not partial_files(served)
    assert "Application shutdown complete" in served.server.log.read_text()
