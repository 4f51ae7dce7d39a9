"""Configuration that cannot half-work: `portal serve` refuses, with one line naming the
variable and exit status 2, before it touches the database; the demo keeps its key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from portal.cli import SECRET_KEY_FILE, demo_secret_key
from tests.deploy.servers import portal, portal_env


def refused(env: dict[str, str], *args: str) -> str:
    result = portal("serve", "--port", "1", *args, env=env)
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_serve_refuses_without_a_secret_key(tmp_path: Path) -> None:
    env = portal_env(tmp_path / "data")
    del env["PORTAL_SECRET_KEY"]
    message = refused(env)
    assert message.startswith("portal serve: set PORTAL_SECRET_KEY")
    assert not (tmp_path / "data").exists()  # refused before migrating anything


def test_serve_refuses_several_workers_without_redis(tmp_path: Path) -> None:
    message = refused(portal_env(tmp_path / "data"), "--workers", "2")
    assert "PORTAL_REDIS_URL" in message and "--workers 2" in message
    assert not (tmp_path / "data").exists()


def test_serve_refuses_a_proxy_that_is_not_an_address(tmp_path: Path) -> None:
    env = portal_env(tmp_path / "data", PORTAL_TRUSTED_PROXIES="10.0.0.1, proxy.internal")
    message = refused(env)
    assert "PORTAL_TRUSTED_PROXIES" in message and "proxy.internal" in message


def test_serve_refuses_an_unknown_log_format(tmp_path: Path) -> None:
    message = refused(portal_env(tmp_path / "data", PORTAL_LOG_FORMAT="xml"))
    assert "PORTAL_LOG_FORMAT" in message


def test_demo_key_is_made_once_and_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    first = demo_secret_key(tmp_path / "var")
    path = tmp_path / "var" / SECRET_KEY_FILE
    assert len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert demo_secret_key(tmp_path / "var") == first  # a restart keeps sessions and forms
    assert demo_secret_key(tmp_path / "other") != first


def test_demo_key_from_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_SECRET_KEY", "from-the-environment")
    assert demo_secret_key(tmp_path / "var") == "from-the-environment"
    assert not (tmp_path / "var" / SECRET_KEY_FILE).exists()
