"""In CI a missing PostgreSQL or Redis fails the run instead of quietly running fewer tests."""

from __future__ import annotations

import os
import subprocess
import sys
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
