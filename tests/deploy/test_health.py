"""/healthz and /readyz: plain text, no cookie, not logged; /readyz names what failed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from portal.app import create_app
from portal.settings import Settings
from tests.client import PortalClient
from tests.conftest import REDIS_URL


async def test_alive_is_ok_without_a_cookie(client: PortalClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"
    assert response.headers["content-type"].startswith("text/plain")
    assert "set-cookie" not in response.headers  # no pre-session cookie for a probe


async def test_ready_names_each_check(client: PortalClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.text.splitlines() == ["ready", "database: ok", "storage: ok"]
    assert "set-cookie" not in response.headers


@pytest.mark.redis
async def test_ready_checks_redis_when_configured(settings: Settings) -> None:
    app = create_app(settings.with_(redis_url=REDIS_URL))
    async with PortalClient.for_app(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert "redis: ok" in response.text


async def test_ready_is_503_naming_redis_when_it_does_not_answer(settings: Settings) -> None:
    app = create_app(settings.with_(redis_url="redis://127.0.0.1:1/0"))
    async with PortalClient.for_app(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    lines = response.text.splitlines()
    assert lines[0] == "not ready: redis"
    assert "database: ok" in lines and "storage: ok" in lines
    assert lines[-1].startswith("redis: failed (")


@pytest.fixture
def files_dir_taken(settings: Settings) -> Settings:
    """The files directory's place is taken by a file: nothing can be stored there."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    Path(settings.files_dir).write_text("not a directory")
    return settings


async def test_ready_is_503_naming_storage_when_files_cannot_be_written(
    files_dir_taken: Settings,
) -> None:
    app = create_app(files_dir_taken)
    async with PortalClient.for_app(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.text.splitlines()[0] == "not ready: storage"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_probes_are_not_in_the_request_log(
    client: PortalClient, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    with caplog.at_level(logging.INFO, logger="portal.request"):
        await client.get(path)
        await client.get("/accessibility")
    logged = [r.getMessage() for r in caplog.records if r.name == "portal.request"]
    assert len(logged) == 1 and logged[0].startswith("GET /accessibility 200 ")


async def test_ready_is_503_naming_the_database_when_it_does_not_answer(
    settings: Settings,
) -> None:
    app = create_app(settings.with_(database_url="postgresql://postgres@127.0.0.1:1/none"))
    async with PortalClient.for_app(app) as client:
        response = await client.get("/readyz")
        alive = await client.get("/healthz")
    assert response.status_code == 503
    assert response.text.splitlines()[0] == "not ready: database"
    assert alive.status_code == 200  # the process itself is fine: no restart wanted
