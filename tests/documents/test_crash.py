"""A server killed in the middle of an upload, on each storage backend: no document
row, and what the upload left (a temporary file, an open S3 multipart upload) is
removed by the sweep when the server starts again and the leftover is past the grace
period. Nothing else is touched.

This runs the real thing: `portal demo` in its own process (as e2e/conftest.py starts
it), storing on disk or in a real S3-compatible server (moto, tests/s3.py), a slow
upload sent over a raw socket, SIGKILL while the file is half stored."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e.conftest import start_server

from portal.documents.storage_disk import TEMP_SUFFIX
from tests.documents.live import sign_in, start_upload, upload_head
from tests.s3 import Bucket

GRACE = 2  # seconds, for the restarted server: the killed upload is older by then


def document_count(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "portal.sqlite3") as conn:
        return conn.execute("SELECT count(*) FROM document").fetchone()[0]


def wait_for(condition: Callable[[], object], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.mark.parametrize("backend", ["disk", "s3"])
def test_server_killed_mid_upload_leaves_no_row_and_nothing_after_the_sweep(
    tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    data_dir = tmp_path / "data"
    files_dir = data_dir / "files"
    env: dict[str, str] = {}
    complete: Callable[[], list[str]]
    unfinished: Callable[[], list[str]]
    if backend == "s3":
        bucket: Bucket = request.getfixturevalue("s3_bucket")
        env = bucket.env
        complete, unfinished = bucket.keys, bucket.unfinished
    else:

        def complete() -> list[str]:
            return sorted(p.name for p in files_dir.iterdir() if p.suffix != TEMP_SUFFIX)

        def unfinished() -> list[str]:
            return sorted(p.name for p in files_dir.glob(f"*{TEMP_SUFFIX}") if p.stat().st_size)

    server = start_server(data_dir, env=env)
    try:
        http, event_id = sign_in(server.url)
        stored_before = complete()
        assert len(stored_before) == 2  # the demo's two documents
        rows_before = document_count(data_dir)
        url = f"/events/{event_id}/documents"
        announced = 80 * 1024 * 1024
        sock = start_upload(server, http, url, upload_head(http, url, "big.csv"), announced)
        row = b"2026-11-23,Oakfield Primary School,attendance,97.5\n" * 1000
        sent = 0
        # Part of a file (past the first S3 part), then wait until the server is storing it.
        while sent < 10 * 1024 * 1024:
            sock.sendall(row)
            sent += len(row)
        wait_for(unfinished, "the upload never reached the storage")
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        sock.close()
        # Killed: the unfinished upload is still there, and nothing was recorded.
        assert len(unfinished()) == 1
        assert complete() == stored_before
        assert document_count(data_dir) == rows_before
    finally:
        if server.process.poll() is None:
            server.stop()

    time.sleep(GRACE + 1.5)
    restarted = start_server(data_dir, env={**env, "PORTAL_STORAGE_GRACE_SECONDS": str(GRACE)})
    try:
        wait_for(
            lambda: "removed 1 unfinished upload" in restarted.log.read_text(),
            "the sweep at start-up did not remove the unfinished upload",
        )
        assert unfinished() == []
        assert complete() == stored_before
        assert document_count(data_dir) == rows_before
    finally:
        restarted.stop()
