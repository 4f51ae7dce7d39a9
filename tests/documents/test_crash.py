"""A server killed in the middle of an upload: after it starts again there is no
document row, no stored file and no temporary file left of that upload.

This runs the real thing: `portal demo` in its own process (as e2e/conftest.py starts
it), a slow upload sent over a raw socket, SIGKILL while the file is half written."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import time
from pathlib import Path

import httpx
from e2e.conftest import DEMO_PASSWORD, start_server

from portal.documents.storage import TEMP_SUFFIX


def sign_in(base_url: str) -> tuple[httpx.Client, int]:
    http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=10)
    page = http.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = http.post(
        "/sign-in", data={"csrf_token": token, "username": "provider", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 303, response.text
    event_url = http.get("/events").headers["location"]
    return http, int(event_url.rsplit("/", 1)[-1])


def document_count(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "portal.sqlite3") as conn:
        return conn.execute("SELECT count(*) FROM document").fetchone()[0]


def test_server_killed_mid_upload_leaves_no_row_and_no_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    files_dir = data_dir / "files"
    server = start_server(data_dir)
    try:
        http, event_id = sign_in(server.url)
        page = http.get(f"/events/{event_id}/documents")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        files_before = sorted(p.name for p in files_dir.iterdir())
        rows_before = document_count(data_dir)

        boundary = "----crashtestboundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        announced = 80 * 1024 * 1024
        cookies = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
        request = (
            f"POST /events/{event_id}/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {announced}\r\nCookie: {cookies}\r\n\r\n"
        ).encode()
        row = b"2026-11-23,Oakfield Primary School,attendance,97.5\n" * 1000
        sock = socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[-1])))
        sock.sendall(request + head)
        sent = 0
        partial: list[Path] = []
        deadline = time.monotonic() + 30
        # Half a file, then wait until the server has it on disk as a temporary file.
        while sent < 8 * 1024 * 1024:
            sock.sendall(row)
            sent += len(row)
        while time.monotonic() < deadline:
            partial = [p for p in files_dir.glob(f"*{TEMP_SUFFIX}") if p.stat().st_size > 0]
            if partial:
                break
            time.sleep(0.05)
        assert partial, "the upload never reached the disk"
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        sock.close()
        # Killed: the temporary file is still there, and nothing else was recorded.
        assert [p.exists() for p in partial] == [True]
        assert document_count(data_dir) == rows_before
    finally:
        if server.process.poll() is None:
            server.stop()

    restarted = start_server(data_dir)
    try:
        assert not list(files_dir.glob(f"*{TEMP_SUFFIX}"))
        assert sorted(p.name for p in files_dir.iterdir()) == files_before
        assert document_count(data_dir) == rows_before
        assert "removed 1 unfinished upload" in restarted.log.read_text()
    finally:
        restarted.stop()
