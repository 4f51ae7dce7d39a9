"""In CI a missing PostgreSQL or Redis fails the run instead of quietly running fewer tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "tests/test_clock.py"],
        cwd=ROOT,
        # A run of its own: not this run's folder of recorded pages (its end removes it).
        env={k: v for k, v in {**os.environ, **env}.items() if k != "PORTAL_TEST_PAGES_DIR"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ci_refuses_to_run_without_postgresql() -> None:
    result = _run(CI="true", PORTAL_TEST_POSTGRES="postgresql://postgres@127.0.0.1:1/test")
    assert result.returncode != 0
    assert "CI=true but PostgreSQL at postgresql://postgres@127.0.0.1:1/test" in result.stderr


def test_ci_refuses_to_run_without_redis() -> None:
    result = _run(CI="true", PORTAL_TEST_REDIS="redis://127.0.0.1:1/15")
    assert result.returncode != 0
    assert "Redis at redis://127.0.0.1:1/15 did not answer" in result.stderr


def test_outside_ci_the_run_goes_on_with_what_answers() -> None:
    result = _run(CI="", PORTAL_TEST_REDIS="redis://127.0.0.1:1/15")
    assert result.returncode == 0, result.stdout + result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ci_script_waits_then_fails_naming_what_is_missing() -> None:
    """scripts/test.sh (what .ci/run runs) under CI=true: a Redis that never answers is
    waited for, then named, and pytest never starts."""
    started = time.monotonic()
    result = subprocess.run(
        ["scripts/test.sh"],
        cwd=ROOT,
        env={
            **os.environ,
            "CI": "true",
            "PORTAL_TEST_REDIS": "redis://127.0.0.1:1/15",
            "PORTAL_TEST_SERVICES_WAIT": "2",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CI=true but Redis at redis://127.0.0.1:1/15 did not answer within 2 s" in (
        result.stderr
    )
    assert "PostgreSQL" not in result.stderr  # it answered: only the missing one is named
    assert time.monotonic() - started >= 2
    assert "collected" not in result.stdout and "passed" not in result.stdout


def test_the_wait_ends_when_a_late_service_answers(tmp_path: Path) -> None:
    """A Redis that starts two seconds late is waited for, and the wait ends when it
    answers (not at the end of the allowance)."""
    port = _free_port()
    env = {**os.environ, "PORTAL_TEST_REDIS": f"redis://127.0.0.1:{port}/15"}
    started = time.monotonic()
    waiting = subprocess.Popen(
        [sys.executable, "-m", "tests.services", "--wait", "30"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2)
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        assert waiting.wait(timeout=60) == 0, waiting.stderr.read() if waiting.stderr else ""
        took = time.monotonic() - started
    finally:
        redis.terminate()
        redis.wait(timeout=10)
    assert 2 <= took < 20
