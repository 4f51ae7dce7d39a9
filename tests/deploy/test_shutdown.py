"""Graceful shutdown: SIGTERM to `portal serve --workers 2` while an upload is still
streaming in. The upload finishes and is staged, then every process exits."""

from __future__ import annotations

import secrets
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import REDIS_URL
from tests.deploy.forms import form_to, link
from tests.deploy.servers import portal_env, start

CHUNK = 64 * 1024
CHUNKS = 24  # 1.5 MB, sent over about 3 seconds


def multipart(fields: dict[str, str], boundary: str, sent: threading.Event) -> Iterator[bytes]:
    """A browser's upload body, the file part trickling in slowly."""
    for name, value in fields.items():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="slow.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n'
    ).encode()
    for number in range(CHUNKS):
        if number == 4:
            sent.set()  # well under way: now the server is told to stop
        time.sleep(0.12)
        yield secrets.token_bytes(CHUNK)
    yield f"\r\n--{boundary}--\r\n".encode()


@pytest.mark.redis
def test_sigterm_lets_an_upload_in_flight_finish(tmp_path: Path) -> None:
    env = portal_env(
        tmp_path / "data",
        PORTAL_DATABASE_URL="",
        PORTAL_REDIS_URL=REDIS_URL.rsplit("/", 1)[0] + "/13",
        PORTAL_SHUTDOWN_SECONDS="20",
    )
    demo = start(env, tmp_path / "demo.log", command="demo")  # the demo data, in SQLite
    demo.stop()
    server = start(env, tmp_path / "serve.log", "--workers", "2")
    try:
        http = httpx.Client(base_url=server.url, follow_redirects=True, timeout=30)
        http.headers["Connection"] = "close"  # each request on a new connection
        sign_in = form_to(http.get("/sign-in").text, "/sign-in")
        profile = http.post(
            "/sign-in", data=sign_in.data(username="provider", password="Portal2026demo")
        )
        documents = link(profile.text, "Upload or delete a document")
        upload = form_to(http.get(documents).text, documents)

        boundary = secrets.token_hex(12)
        sent = threading.Event()
        answer: list[httpx.Response] = []
        body = multipart(upload.data(kind="other"), boundary, sent)
        uploading = threading.Thread(
            target=lambda: answer.append(
                http.post(
                    documents,
                    follow_redirects=False,
                    content=body,
                    headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
                )
            )
        )
        uploading.start()
        assert sent.wait(20)
        server.process.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        uploading.join(30)

        [response] = answer
        # Answered in full (the browser would then open its redirect elsewhere: this
        # server accepts no new request now).
        assert response.status_code == 303, response.text[:500]
        assert server.process.wait(30) in (0, -signal.SIGTERM)
        assert time.monotonic() - stopped_at < 20
    finally:
        server.stop()
    with sqlite3.connect(tmp_path / "data" / "portal.sqlite3") as db:
        rows = db.execute("SELECT size, state FROM document WHERE file_name = 'slow.pdf'")
        assert rows.fetchall() == [(len("%PDF-1.4\n") + CHUNK * CHUNKS, "staged")]
    log = (tmp_path / "serve.log").read_text()
    assert log.count("Application shutdown complete") == 2, log  # both workers, cleanly
    assert "Cancel" not in log  # no request was cut off at the timeout
