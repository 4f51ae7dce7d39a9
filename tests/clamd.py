"""A real ClamAV daemon for the tests: Debian's `clamd` (package clamav-daemon, which
scripts/test.sh installs), started once per test run (per xdist worker) with a
configuration and a signature database this module writes, since signatures cannot be
downloaded here: one `.ndb` line matching the EICAR test string, the industry's
harmless stand-in for a virus. It listens on a unix socket and on a loopback TCP port,
so both forms of PORTAL_CLAMD are exercised.

If clamd is missing or does not start, the tests that need it fail: never skipped."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# The EICAR test file (eicar.org): every scanner reports it, and it is harmless.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Portal-Test-Eicar"
# clamd refuses a stream longer than this (the tests of a scanner that stops reading).
STREAM_MAX_BYTES = 20 * 1024 * 1024  # past one S3 part (8 MiB)
START_SECONDS = 60


@dataclass(frozen=True)
class Clamd:
    socket_path: Path
    tcp: str  # host:port
    process: subprocess.Popen[bytes]
    log: Path

    def ping(self) -> bool:
        return _ping(self.socket_path)


def clamd_program() -> str:
    found = shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )
    if found is None:
        raise RuntimeError(
            "clamd is not installed: run scripts/test.sh (it installs Debian's clamav-daemon)"
        )
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ping(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(2)
            sock.connect(str(path))
            sock.sendall(b"zPING\0")
            return sock.recv(16) == b"PONG\0"
    except OSError:
        return False


def start_clamd(folder: Path, stream_max_bytes: int = STREAM_MAX_BYTES) -> Clamd:
    """clamd in the foreground, its files in `folder`; returns once it answers PING."""
    program = clamd_program()
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "db"
    database.mkdir(exist_ok=True)
    (database / "portal-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
    socket_path = folder / "clamd.sock"
    port = free_port()
    log = folder / "clamd.log"
    config = folder / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"LocalSocket {socket_path}",
                "TCPAddr 127.0.0.1",
                f"TCPSocket {port}",
                f"DatabaseDirectory {database}",
                f"LogFile {log}",
                f"StreamMaxLength {stream_max_bytes // (1024 * 1024)}M",
                "SelfCheck 0",
                "",
            ]
        )
    )
    process = subprocess.Popen(
        [program, "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _ping(socket_path):
            return Clamd(socket_path, f"127.0.0.1:{port}", process, log)
        time.sleep(0.1)
    stop(process)
    text = log.read_text() if log.exists() else "(no log)"
    raise RuntimeError(f"clamd did not start:\n{text}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clamd]:
    # A short folder: a unix socket's path must fit in 108 bytes.
    running = start_clamd(tmp_path_factory.mktemp("clamd"))
    yield running
    stop(running.process)
