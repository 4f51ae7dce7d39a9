"""Two uploads for an event's last free place, on the real server: one starts
streaming (it passed the limit check), another is staged meanwhile; when the first
file has arrived it is refused with the limit's message, and its file is removed.

The server runs in its own process (`portal demo`), so the two requests are really
at once, over two connections."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from e2e.conftest import start_server

from portal.documents.storage_disk import TEMP_SUFFIX
from tests.documents.live import (
    closing,
    form_token,
    read_response,
    sign_in,
    start_upload,
    upload_head,
)


def provider_documents(data_dir: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(data_dir / "portal.sqlite3") as conn:
        query = "SELECT file_name, stored_name FROM document WHERE side = 'provider' ORDER BY id"
        return conn.execute(query).fetchall()


def test_an_upload_overtaken_for_the_last_place_is_refused_and_keeps_no_file(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    files_dir = data_dir / "files"
    server = start_server(data_dir, env={"PORTAL_EVENT_MAX_FILES": "1"})
    try:
        http, event_id = sign_in(server.url)
        url = f"/events/{event_id}/documents"
        assert provider_documents(data_dir) == []
        files_before = sorted(p.name for p in files_dir.iterdir())

        body = b"date,measure,value\n" + b"2026-11-23,attendance,97.5\n" * 100_000
        head = upload_head(http, url, "slow.csv")
        sock = start_upload(server, http, url, head, len(head) + len(body) + len(closing()))
        sock.sendall(body[: len(body) // 2])
        deadline = time.monotonic() + 30
        while not list(files_dir.glob(f"*{TEMP_SUFFIX}")) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert list(files_dir.glob(f"*{TEMP_SUFFIX}")), "the slow upload never started"

        quick = http.post(
            url,
            data={"csrf_token": form_token(http, url)},
            files={"file": ("quick.csv", b"a,b\n1,2\n", "text/csv")},
        )
        assert quick.status_code == 303

        sock.sendall(body[len(body) // 2 :] + closing())
        status, page = read_response(sock)
        sock.close()
        assert status == 200
        assert "You can upload up to 1 document for this inspection" in page
    finally:
        server.stop()

    documents = provider_documents(data_dir)
    assert [name for name, _ in documents] == ["quick.csv"]
    assert sorted(p.name for p in files_dir.iterdir()) == sorted([*files_before, documents[0][1]])
