"""A bad day, for real: Redis stopped and restarted, a PostgreSQL that hangs or holds a lock,
a disk that fills up. The user sees one page that says the service is unavailable (503,
Retry-After, nothing saved is lost) on a full page and on an htmx request; the log has one
ERROR line per request naming the dependency, and no traceback. A fault of our own is still
the generic 500, with its traceback."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
from litestar import Litestar

from portal.app import create_app
from portal.db import engine as db_engine
from portal.db.tables import Document
from portal.settings import Settings
from portal.web.logs import JsonFormatter
from tests.client import PortalClient
from tests.conftest import _truncate_postgres
from tests.documents.conftest import upload
from tests.documents.samples import PDF
from tests.factories import Factory
from tests.html_check import record_page
from tests.s3 import CREDENTIALS
from tests.web.services import free_port, log_records, redis_server, silent_server, tmpfs

TITLE = "<title>Sorry, the service is unavailable – Provider Portal</title>"


@asynccontextmanager
async def client_of(app: Litestar) -> AsyncIterator[PortalClient]:
    async with PortalClient.for_app(app, on_page=record_page) as client:
        yield client


def assert_unavailable_page(response: httpx.Response) -> None:
    assert response.status_code == 503
    assert response.headers["retry-after"] == "60"
    assert response.headers["cache-control"] == "no-store"
    text = response.text
    assert TITLE in text
    assert '<h1 class="govuk-heading-l">Sorry, the service is unavailable</h1>' in text
    assert "You will be able to use the service later." in text
    assert "Nothing you have saved has been lost." in text
    assert "Try again in a few minutes." in text
    assert "the inspection support team on 0300 000 0000" in text  # who to contact
    assert f"quote the reference <strong>{response.headers['x-request-id']}</strong>" in text
    assert "Traceback" not in text and "Error" not in text


def assert_unavailable_fragment(response: httpx.Response) -> None:
    """htmx: the page's content, to be swapped in as the page's main content (a 503 swaps:
    base.html's htmx-config), with the page's title."""
    assert response.status_code == 503
    assert response.headers["retry-after"] == "60"
    assert response.headers["hx-retarget"] == "#main-content"
    assert response.headers["hx-reswap"].startswith("innerHTML")
    assert "<html" not in response.text
    assert '<h1 class="govuk-heading-l">Sorry, the service is unavailable</h1>' in response.text
    assert "Nothing you have saved has been lost." in response.text
    assert TITLE in response.text


def outage_lines(records: list[logging.LogRecord], dependency: str) -> list[logging.LogRecord]:
    return [
        r
        for r in records
        if r.name == "portal.request" and f"problem={dependency} (" in r.getMessage()
    ]


def assert_no_traceback(records: list[logging.LogRecord]) -> None:
    assert [r.getMessage() for r in records if r.exc_info] == []


def test_htmx_is_told_to_swap_a_503() -> None:
    """The fragment above is only seen if htmx swaps a 503 (by default it swaps no 5xx)."""
    base = (Path(__file__).resolve().parents[2] / "templates" / "base.html").read_text()
    assert '{"code": "503", "swap": true}' in base
    assert base.index('"code": "503"') < base.index('"code": "[45].."')  # first match wins


async def test_redis_stopped_gives_the_unavailable_page_and_a_restart_is_survived(
    settings: Settings, make: Factory, tmp_path: Path
) -> None:
    world = await make.world()
    profile = f"/events/{world.event.id}"
    with redis_server(tmp_path) as redis:
        app = create_app(settings.with_(redis_url=redis.url))
        async with client_of(app) as client:
            await client.sign_in_as(world.provider_user)
            assert (await client.get(profile)).status_code == 200

            # Restarted (sessions carried over): the app's pooled connections are dead; the
            # first request after the restart is answered all the same.
            redis.restart(keep_keys=True)
            first = await client.get(profile)
            assert first.status_code == 200, first.text[:300]
            assert "Sorry" not in first.text

            redis.stop()
            with log_records() as records:
                started = time.monotonic()
                assert_unavailable_page(await client.get(profile))
                assert_unavailable_fragment(await client.get(profile, htmx=True))
                assert time.monotonic() - started < 5  # refused at once, not waited on
            lines = outage_lines(records, "redis unavailable")
            assert len(lines) == 2  # one line per request
            assert all(r.levelno == logging.ERROR for r in lines)
            assert " 503 " in lines[0].getMessage()
            # JSON logs (PORTAL_LOG_FORMAT=json) carry it as a field of its own.
            entry = json.loads(JsonFormatter().format(lines[0]))
            assert entry["level"] == "error" and entry["status"] == 503
            assert entry["problem"].startswith("redis unavailable (ConnectionError: ")
            assert_no_traceback(records)

            redis.start()  # back (empty: the session is gone, so: sign in)
            assert (await client.get(profile)).status_code == 303


async def test_a_database_server_that_never_answers_gives_the_unavailable_page_in_time(
    tmp_path: Path,
) -> None:
    """A server that accepts the connection and says nothing: the request is answered
    within the connect timeout (1 s here), not after asyncpg's 60 s or never."""
    with silent_server() as port:
        settings = Settings(
            data_dir=tmp_path / "data",
            database_url=f"postgresql://postgres@127.0.0.1:{port}/test",
            secret_key="test-secret-key",
            mail_worker=False,
            support_contact="the inspection support team on 0300 000 0000",
            db_connect_timeout=1,
        )
        async with client_of(create_app(settings)) as client:
            client.http.cookies.set(client.session_cookie, "a-session", domain="testserver.local")
            with log_records() as records:
                started = time.monotonic()
                response = await client.get("/events")
                elapsed = time.monotonic() - started
                assert_unavailable_page(response)
                assert elapsed < 4, elapsed
                assert_unavailable_fragment(await client.get("/events", htmx=True))
            lines = outage_lines(records, "database unavailable")
            assert len(lines) == 2 and "TimeoutError" in lines[0].getMessage()
            assert all(r.levelno == logging.ERROR for r in lines)
            assert_no_traceback(records)


async def test_a_statement_held_past_the_statement_timeout_gives_the_unavailable_page(
    postgres_url: str, tmp_path: Path
) -> None:
    """PostgreSQL answers, but a query waits on a lock held elsewhere: the server cancels it
    after the statement timeout (1 s here) and the user is told, instead of waiting."""
    await _truncate_postgres(postgres_url)
    fixture_engine = db_engine.bind(postgres_url)
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=postgres_url,
        secret_key="test-secret-key",
        mail_worker=False,
        support_contact="the inspection support team on 0300 000 0000",
        db_statement_timeout=1,
    )
    try:
        world = await Factory(settings).world()
        async with client_of(create_app(settings)) as client:
            await client.sign_in_as(world.provider_user)
            profile = f"/events/{world.event.id}"
            assert (await client.get(profile)).status_code == 200
            blocker = await asyncpg.connect(postgres_url)
            try:
                transaction = blocker.transaction()
                await transaction.start()
                await blocker.execute("LOCK TABLE event IN ACCESS EXCLUSIVE MODE")
                with log_records() as records:
                    started = time.monotonic()
                    response = await client.get(profile)
                    elapsed = time.monotonic() - started
                await transaction.rollback()
            finally:
                await blocker.close()
            assert_unavailable_page(response)
            assert 0.9 < elapsed < 4, elapsed
            [line] = outage_lines(records, "database unavailable")
            assert "QueryCanceledError" in line.getMessage()
            assert_no_traceback(records)
            assert (await client.get(profile)).status_code == 200  # the lock gone: fine again
    finally:
        await db_engine.close(db_engine.piccolo_conf.DB)
        await db_engine.close(fixture_engine)


async def test_disk_full_during_an_upload_gives_the_unavailable_page_and_keeps_nothing(
    settings: Settings, make: Factory
) -> None:
    """The documents folder on a 1 MB tmpfs: a 2 MB upload meets ENOSPC."""
    world = await make.world()
    url = f"/events/{world.event.id}/documents"
    big = PDF + os.urandom(2 * 1024 * 1024)
    with tmpfs(settings.files_dir, size="1m") as files:
        async with client_of(create_app(settings)) as client:
            await client.sign_in_as(world.provider_user)
            with log_records() as records:
                assert_unavailable_page(await upload(client, url, [("big.pdf", big)]))
                assert_unavailable_fragment(
                    await upload(client, url, [("big.pdf", big)], htmx=True)
                )
            assert list(files.iterdir()) == []  # no temporary file left behind
            assert await Document.count() == 0
            lines = outage_lines(records, "disk full")
            assert len(lines) == 2 and "No space left on device" in lines[0].getMessage()
            assert_no_traceback(records)
            # What fits is still taken.
            small = await upload(client, url, [("small.pdf", PDF)])
            assert small.status_code == 303
            assert await Document.count() == 1


async def test_a_fault_of_ours_stays_the_generic_500_with_its_traceback(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    doc = await make.document(world.event, world.provider_user)
    # A corrupt row: its stored name is a path, which the store refuses (a ValueError).
    await Document.update({Document.stored_name: "../x"}).where(Document.id == doc.id)
    await client.sign_in_as(world.provider_user)
    with log_records() as records:
        response = await client.get(f"/events/{world.event.id}/documents/{doc.id}/download")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "unavailable" not in response.text
    assert "retry-after" not in response.headers
    [fault] = [r for r in records if r.exc_info]
    assert fault.levelno == logging.ERROR and "unhandled error" in fault.getMessage()


async def test_document_storage_that_does_not_answer_gives_the_unavailable_page(
    settings: Settings, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """S3-compatible storage whose endpoint refuses connections (a real socket, nothing
    listening): after botocore's own retries, the user is told, not shown a fault."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    world = await make.world()
    dead = settings.with_(
        storage_url="s3://documents/portal", s3_endpoint_url=f"http://127.0.0.1:{free_port()}"
    )
    async with client_of(create_app(dead)) as client:
        await client.sign_in_as(world.provider_user)
        url = f"/events/{world.event.id}/documents"
        with log_records() as records:
            response = await upload(client, url, [("plan.pdf", PDF)])
        assert_unavailable_page(response)
        [line] = outage_lines(records, "storage unavailable")
        assert "EndpointConnectionError" in line.getMessage()
        assert_no_traceback(records)
        assert await Document.count() == 0


async def test_the_database_on_a_full_disk_gives_the_unavailable_page(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """SQLite's file on a 4 MB tmpfs, then the tmpfs filled: a write meets SQLITE_FULL."""
    with tmpfs(tmp_path / "disk", size="4m") as disk:
        shutil.copy(sqlite_template, disk / "portal.sqlite3")
        url = f"sqlite:///{disk / 'portal.sqlite3'}"
        engine = db_engine.bind(url)
        settings = Settings(
            data_dir=tmp_path / "data",
            database_url=url,
            secret_key="test-secret-key",
            mail_worker=False,
            support_contact="the inspection support team on 0300 000 0000",
        )
        try:
            world = await Factory(settings).world()
            async with client_of(create_app(settings)) as client:
                await client.sign_in_as(world.provider_user)
                documents = f"/events/{world.event.id}/documents"
                assert (await client.get(documents)).status_code == 200
                with (disk / "filler").open("wb") as filler:  # the disk fills up
                    with contextlib.suppress(OSError):
                        while True:
                            filler.write(b"\0" * 65536)
                            filler.flush()
                with log_records() as records:
                    response = await upload(client, documents, [("plan.pdf", PDF)])
                assert_unavailable_page(response)
                [line] = outage_lines(records, "disk full")
                assert "database or disk is full" in line.getMessage()
                assert_no_traceback(records)
        finally:
            await db_engine.close(db_engine.piccolo_conf.DB)
            await db_engine.close(engine)
