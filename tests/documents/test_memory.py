"""Bounded memory: a 100 MB upload streamed into each store (and into the disk store
through a real clamd), and its download streamed out, grow the process's peak resident
memory by a few parts' worth, not by the file (measured in a process of its own,
tests/documents/memory_probe.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.clamd import start_clamd, stop
from tests.s3 import Bucket

# disk: two 1 MiB blocks; S3: two 8 MiB parts + copies; clamd: disk and one chunk in flight
LIMITS_MIB = {"disk": 16, "s3": 48, "clamd": 16}


@pytest.mark.parametrize("backend", ["disk", "s3", "clamd"])
def test_a_100_mb_upload_and_download_take_bounded_memory(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    where = [str(tmp_path / "files")]
    if backend == "s3":
        bucket: Bucket = request.getfixturevalue("s3_bucket")
        where = [bucket.name, bucket.server.endpoint_url]
    scanner = None
    if backend == "clamd":  # one of its own: the session's takes 20 MiB streams at most
        scanner = start_clamd(tmp_path / "clamd", stream_max_bytes=128 * 1024 * 1024)
        where.append(str(scanner.socket_path))
    try:
        probe = subprocess.run(
            [sys.executable, "-m", "tests.documents.memory_probe", backend, *where],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=Path(__file__).resolve().parents[2],
        )
    finally:
        if scanner is not None:
            stop(scanner.process)
    assert probe.returncode == 0, probe.stderr
    grown, seconds, download_grown, download_seconds = map(float, probe.stdout.split())
    print(
        f"{backend}: 100 MB upload: peak RSS +{grown:.1f} MiB, {seconds:.2f} s; "
        f"download: +{download_grown:.1f} MiB, {download_seconds:.2f} s"
    )
    assert grown < LIMITS_MIB[backend]
    assert download_grown < 16
