"""A real S3-compatible server for the tests: moto in server mode, started once per test
run (per xdist worker) as its own process on a free port, and spoken to over HTTP by
the same client the portal uses. A test gets a bucket of its own (`s3_bucket`).

If the server does not start, the tests that need it fail: they are never skipped."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.session
import pytest

# Any credentials will do for moto; set here so that neither the portal nor botocore
# ever looks elsewhere for some (the instance metadata service is not on loopback).
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "portal-test",
    "AWS_SECRET_ACCESS_KEY": "portal-test-secret",
    "AWS_EC2_METADATA_DISABLED": "true",
}
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    process: subprocess.Popen[bytes]

    def client(self) -> Any:
        """A plain (synchronous) botocore client, for tests to look at the bucket."""
        return botocore.session.get_session().create_client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )


@dataclass(frozen=True)
class Bucket:
    server: S3Server
    name: str

    @property
    def url(self) -> str:
        """PORTAL_STORAGE_URL for this bucket, with a prefix."""
        return f"s3://{self.name}/documents"

    @property
    def env(self) -> dict[str, str]:
        """The environment of a `portal` process storing documents in this bucket."""
        return {
            **CREDENTIALS,
            "PORTAL_STORAGE_URL": self.url,
            "PORTAL_S3_ENDPOINT_URL": self.server.endpoint_url,
            "PORTAL_S3_REGION": REGION,
        }

    def keys(self) -> list[str]:
        answer = self.server.client().list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in answer.get("Contents", []))

    def unfinished(self) -> list[str]:
        answer = self.server.client().list_multipart_uploads(Bucket=self.name)
        return sorted(upload["Key"] for upload in answer.get("Uploads", []))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError as error:
        return getattr(error, "code", None) is not None  # an HTTP error is an answer


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    os.environ.update(CREDENTIALS)
    port = _free_port()
    log: Path = tmp_path_factory.mktemp("moto") / "moto.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not _answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the S3 test server (moto) did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)
    server = S3Server(endpoint_url=url, process=process)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> Bucket:
    name = f"portal-test-{secrets.token_hex(6)}"
    s3_server.client().create_bucket(Bucket=name)
    return Bucket(server=s3_server, name=name)
