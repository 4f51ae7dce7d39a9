"""A server killed in the middle of an upload: after it starts again there is no
document row, no stored file and no temporary file left of that upload.

This runs the real thing: `portal demo` in its own process (as e2e/conftest.py starts
it), a slow upload sent over a raw socket, SIGKILL while the file is half written."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

from e2e.conftest import start_server

from portal.documents.storage_disk import TEMP_SUFFIX
from tests.documents.live import sign_in, start_upload, upload_head


def document_count(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "portal.sqlite3") as conn:
        return conn.execute("SELECT count(*) FROM document").fetchone()[0]


def test_server_killed_mid_upload_leaves_no_row_and_no_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    files_dir = data_dir / "files"
    server = start_server(data_dir)
    try:
        http, event_id = sign_in(server.url)
        files_before = sorted(p.name for p in files_dir.iterdir())
        rows_before = document_count(data_dir)
        url = f"/events/{event_id}/documents"
        announced = 80 * 1024 * 1024
        sock = start_upload(server, http, url, upload_head(http, url, "big.csv"), announced)
        row = b"2026-11-23,Oakfield Primary School,attendance,97.5\n" * 1000
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
