"""Every run ends with how many tests ran against each service, counted from the tests
that ran (their parameters, markers and the databases they made), across parallel workers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import POSTGRES

ROOT = Path(__file__).resolve().parents[1]

SAMPLE = """
import pytest
from tests.conftest import fresh_postgres


def test_on_each_database(db):
    pass


def test_only_sqlite_passes(db):
    assert db.backend == "sqlite"


@pytest.mark.parametrize("kind", ["database", "redis"])
def test_on_each_store(kind):
    pass


@pytest.mark.redis
def test_marked(tmp_path):
    pass


def test_a_database_of_its_own():
    with fresh_postgres("portal_tally"):
        pass


def test_nothing_else():
    pass
"""


def test_the_summary_counts_tests_by_service(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    pages = tmp_path / "pages"
    pages.mkdir()
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-c", os.devnull, "--rootdir", str(tmp_path),
            "-p", "tests.conftest", "-n", "2", "-p", "no:cacheprovider",
            "-o", "asyncio_mode=auto", str(tmp_path / "test_sample.py"),
        ],
        cwd=ROOT,
        env={**os.environ, "PORTAL_TEST_PAGES_DIR": str(pages)},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    line = re.search(r"backends: (.*?) -*$", result.stdout, re.MULTILINE)
    assert line, result.stdout + result.stderr
    # sqlite: both db tests; postgres: the db tests (one fails) and the one that made its
    # own database; redis: the parameter and the marker; the rest: no service.
    expected = "sqlite: 2 passed"
    expected += " · postgres: 2 passed, 1 failed" if POSTGRES else " · postgres: 1 failed"
    expected += " · redis: 2 passed · no service: 2 passed"
    assert line.group(1) == expected
    assert result.returncode == 1  # the failed test
