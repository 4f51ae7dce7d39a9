"""`portal serve` as a real program: started as a subprocess on a free port with the
environment a deployment would give it, waited for on /healthz, stopped with SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

SRC = Path(__file__).resolve().parents[2] / "src"
SECRET = "deploy-test-secret-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def portal_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A clean environment for a `portal` process: nothing inherited from the test run's
    own PORTAL_* variables, this checkout's source first on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        {
            # Except the run's Redis key prefix (tests/conftest.py): removed at its end.
            "PORTAL_REDIS_PREFIX": os.environ.get("PORTAL_REDIS_PREFIX", "portal:"),
            "PYTHONPATH": str(SRC),
            "PICCOLO_CONF": "portal.db.piccolo_conf",
            "PORTAL_DATA_DIR": str(data_dir),
            "PORTAL_SECRET_KEY": SECRET,
        }
    )
    env.update(extra)
    return env


def portal(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run a `portal` command to completion."""
    return subprocess.run(
        [sys.executable, "-m", "portal.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()

    def stop(self, timeout: float = 40) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start(
    env: dict[str, str], log: Path, *args: str, command: str = "serve", wait: float = 90
) -> Server:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.cli", command, "--port", str(port), *args],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log=log)
    deadline = time.monotonic() + wait
    while True:
        if process.poll() is not None:
            raise AssertionError(f"portal serve exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise AssertionError(f"portal serve did not answer in {wait}s:\n{log.read_text()}")
        time.sleep(0.2)


@contextmanager
def serving(env: dict[str, str], log: Path, *args: str) -> Iterator[Server]:
    server = start(env, log, *args)
    try:
        yield server
    finally:
        server.stop()
