"""Bounded memory: a 100 MB upload streamed into each store, and its download streamed
out, grow the process's peak resident memory by a few parts' worth, not by the file
(measured in a process of its own, tests/documents/memory_probe.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.s3 import Bucket

LIMITS_MIB = {"disk": 16, "s3": 48}  # disk: two 1 MiB blocks; S3: two 8 MiB parts + copies


@pytest.mark.parametrize("backend", ["disk", "s3"])
def test_a_100_mb_upload_and_download_take_bounded_memory(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    where = [str(tmp_path / "files")]
    if backend == "s3":
        bucket: Bucket = request.getfixturevalue("s3_bucket")
        where = [bucket.name, bucket.server.endpoint_url]
    probe = subprocess.run(
        [sys.executable, "-m", "tests.documents.memory_probe", backend, *where],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert probe.returncode == 0, probe.stderr
    grown, seconds, download_grown, download_seconds = map(float, probe.stdout.split())
    print(
        f"{backend}: 100 MB upload: peak RSS +{grown:.1f} MiB, {seconds:.2f} s; "
        f"download: +{download_grown:.1f} MiB, {download_seconds:.2f} s"
    )
    assert grown < LIMITS_MIB[backend]
    assert download_grown < 16
