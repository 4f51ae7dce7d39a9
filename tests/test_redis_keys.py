"""Redis keys written by a test run live under the run's own prefix (PORTAL_REDIS_PREFIX,
set per run by tests/conftest.py), so two runs on one Redis never meet, and the run
removes them at its end: nothing is left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from portal.app import create_app
from portal.settings import Settings
from tests.client import PortalClient
from tests.conftest import REDIS_PREFIX, REDIS_URL
from tests.factories import PASSWORD, Factory

ROOT = Path(__file__).resolve().parents[1]


def _keys(pattern: str, url: str = REDIS_URL) -> set[bytes]:
    client = redis.Redis.from_url(url)
    try:
        return set(client.scan_iter(match=pattern, count=500))
    finally:
        client.close()


def test_the_prefix_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().redis_prefix == "portal:"
    monkeypatch.setenv("PORTAL_REDIS_PREFIX", "other-service:")
    assert Settings.from_env().redis_prefix == "other-service:"


@pytest.mark.redis
async def test_the_apps_sessions_and_limits_are_under_the_runs_prefix(
    settings: Settings, make: Factory
) -> None:
    user = await make.user(role="admin")
    app = create_app(settings.with_(redis_url=REDIS_URL))
    sessions_before = _keys(f"{REDIS_PREFIX}session:*")
    async with PortalClient.for_app(app) as client:
        response = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 303
        assert (await client.get("/admin")).status_code == 200  # the session is in Redis
    assert _keys(f"{REDIS_PREFIX}session:*") - sessions_before  # the new session's key
    assert _keys(f"{REDIS_PREFIX}rate:*")  # the sign-in was counted under it too


PROBE = """
import os
from pathlib import Path

import redis

from tests.conftest import REDIS_PREFIX, REDIS_URL


def test_writes_keys() -> None:
    Path(os.environ["PREFIX_FILE"]).write_text(REDIS_PREFIX)
    for db in ("15", "13"):  # the tests' databases: all are swept
        client = redis.Redis.from_url(REDIS_URL.rsplit("/", 1)[0] + "/" + db)
        client.set(REDIS_PREFIX + "probe", "1")
        client.close()
"""


@pytest.mark.redis
def test_a_run_removes_its_keys_and_each_run_has_its_own_prefix(tmp_path: Path) -> None:
    (tmp_path / "test_probe.py").write_text(PROBE)
    pages = tmp_path / "pages"
    pages.mkdir()
    prefix_file = tmp_path / "prefix"
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_TEST_REDIS_PREFIX"}
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-c", os.devnull, "--rootdir", str(tmp_path),
            "-p", "tests.conftest", "-p", "no:xdist", "-p", "no:cacheprovider",
            str(tmp_path / "test_probe.py"),
        ],
        cwd=ROOT,
        env={**env, "PORTAL_TEST_PAGES_DIR": str(pages), "PREFIX_FILE": str(prefix_file)},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    their_prefix = prefix_file.read_text()
    assert their_prefix.startswith("portal-test-") and their_prefix != REDIS_PREFIX
    assert f"redis: 2 keys of this run ({their_prefix}*) removed" in result.stdout, result.stdout[
        -600:
    ]
    base = REDIS_URL.rsplit("/", 1)[0]
    assert not _keys(f"{their_prefix}*", f"{base}/15") and not _keys(
        f"{their_prefix}*", f"{base}/13"
    )
