"""PostgreSQL timeouts reach every connection the portal opens: the pool's, Piccolo's
single connections (locks), and none for migrations."""

from __future__ import annotations

import time

import pytest

from portal.db import engine as db_engine
from portal.db.tables import User
from portal.outages import DATABASE, Unavailable, outage
from tests.web.services import silent_server


async def test_the_statement_timeout_is_set_on_pooled_and_single_connections(
    postgres_url: str,
) -> None:
    engine = db_engine.bind(postgres_url, 2, connect_timeout=3, statement_timeout=2)
    try:
        [row] = await User.raw("SHOW statement_timeout")
        assert row["statement_timeout"] == "2s"
        single = await engine.get_new_connection()  # what locks.run_once uses
        try:
            assert await single.fetchval("SHOW statement_timeout") == "2s"
        finally:
            await single.close()
        started = time.monotonic()
        with pytest.raises(Exception) as raised:
            await User.raw("SELECT pg_sleep(3)")
        assert 1.5 < time.monotonic() - started < 3
        assert outage(raised.value).dependency == DATABASE
    finally:
        await db_engine.close(engine)


async def test_no_statement_timeout_when_told_none(postgres_url: str) -> None:
    engine = db_engine.bind(postgres_url, 2, statement_timeout=0)  # `portal migrate`
    try:
        [row] = await User.raw("SHOW statement_timeout")
        assert row["statement_timeout"] == "0"
    finally:
        await db_engine.close(engine)


async def test_binding_other_timeouts_makes_a_new_engine(postgres_url: str) -> None:
    first = db_engine.bind(postgres_url, 2, connect_timeout=5, statement_timeout=30)
    assert db_engine.bind(postgres_url, 2, connect_timeout=5, statement_timeout=30) is first
    second = db_engine.bind(postgres_url, 2, connect_timeout=5, statement_timeout=1)
    assert second is not first
    await db_engine.close(first)
    await db_engine.close(second)


async def test_a_server_that_never_answers_is_unavailable_within_the_connect_timeout() -> None:
    with silent_server() as port:
        engine = db_engine.bind(f"postgresql://postgres@127.0.0.1:{port}/test", connect_timeout=1)
        started = time.monotonic()
        with pytest.raises(Unavailable) as raised:
            await User.raw("SELECT 1")
        assert time.monotonic() - started < 2.5
        assert raised.value.dependency == DATABASE
        assert isinstance(raised.value.__cause__, TimeoutError)
        await db_engine.close(engine)
