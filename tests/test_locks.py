"""run_once: one holder of a job at a time, on PostgreSQL (advisory lock), SQLite (lease row)
and Redis (SET NX PX); a holder killed -9 in another process frees the job (PostgreSQL at
once, the lease and Redis when their time is up); a holder whose time ran out cannot free the
job of the one that took it after."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis.asyncio

from portal.db import engine as db_engine
from portal.locks import run_once
from tests.conftest import BACKENDS, REDIS_PREFIX, REDIS_URL

SRC = str(Path(__file__).resolve().parents[1] / "src")


@dataclass(frozen=True)
class Where:
    backend: str  # "postgres" (advisory lock), "sqlite" (lease row), "redis" (beside SQLite)
    database_url: str
    redis_url: str = ""


@pytest.fixture(params=[*BACKENDS, "redis"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Where:
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
    else:
        path = tmp_path / "portal.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    db_engine.bind(url)
    return Where(request.param, url, REDIS_URL if request.param == "redis" else "")


def _name() -> str:
    return f"test-job-{secrets.token_hex(4)}"  # a fresh name: nothing left from other runs


async def test_one_holder_at_a_time(where: str) -> None:
    name = _name()
    async with run_once(name, 30, redis_url=where.redis_url) as first:
        assert first
        async with run_once(name, 30, redis_url=where.redis_url) as second:
            assert not second
        async with run_once(f"{name}-other", 30, redis_url=where.redis_url) as other:
            assert other
    async with run_once(name, 30, redis_url=where.redis_url) as again:
        assert again  # freed at the end of the block
    with pytest.raises(RuntimeError):
        async with run_once(name, 30, redis_url=where.redis_url) as mine:
            assert mine
            raise RuntimeError("the job failed")
    async with run_once(name, 30, redis_url=where.redis_url) as after_failure:
        assert after_failure


async def test_many_at_once_one_runs(where: str) -> None:
    name, ran = _name(), []

    async def job(n: int) -> None:
        async with run_once(name, 30, redis_url=where.redis_url) as mine:
            if mine:
                ran.append(n)
                await asyncio.sleep(0.3)

    await asyncio.gather(*(job(n) for n in range(8)))
    assert len(ran) == 1


async def test_a_holder_whose_time_ran_out_cannot_free_the_next_holders_job(
    where: Where,
) -> None:
    name = _name()
    slow = run_once(name, 0.2, redis_url=where.redis_url)
    assert await slow.__aenter__()
    await asyncio.sleep(0.3)
    # The lease and Redis: the slow holder's time is up, the job can be taken. PostgreSQL's
    # lock has no time limit: the slow holder still has it.
    lapses = where.backend != "postgres"
    taken = run_once(name, 30, redis_url=where.redis_url)
    assert await taken.__aenter__() is lapses
    await slow.__aexit__(None, None, None)  # the slow one ends, and lets go of its own only
    async with run_once(name, 30, redis_url=where.redis_url) as third:
        assert third is not lapses
    await taken.__aexit__(None, None, None)


HOLDER = """
import asyncio, sys
from portal.db import engine
from portal.locks import run_once

async def main():
    engine.bind(sys.argv[1])
    async with run_once(sys.argv[2], float(sys.argv[3]), redis_url=sys.argv[4]) as mine:
        print(mine, flush=True)
        await asyncio.sleep(120)

asyncio.run(main())
"""


async def test_a_holder_killed_in_another_process_frees_the_job(where: Where) -> None:
    name, ttl = _name(), 2.0
    holder = await asyncio.create_subprocess_exec(
        *[sys.executable, "-c", HOLDER, where.database_url, name, str(ttl), where.redis_url],
        env={**os.environ, "PYTHONPATH": SRC},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stderr is not None
        line = await asyncio.wait_for(holder.stdout.readline(), 60)
        assert line == b"True\n", line + await holder.stderr.read()
        async with run_once(name, ttl, redis_url=where.redis_url) as mine:
            assert not mine
    finally:
        holder.send_signal(signal.SIGKILL)
        await holder.wait()
    killed = time.monotonic()
    while True:
        async with run_once(name, ttl, redis_url=where.redis_url) as mine:
            if mine:
                break
        assert time.monotonic() - killed < ttl + 5
        await asyncio.sleep(0.05)
    waited = time.monotonic() - killed
    if where.backend == "postgres":
        assert waited < 1  # the server ended the dead holder's session, and its lock
    else:
        assert waited > ttl - 0.5  # the dead holder's time had to run out


@pytest.mark.parametrize("where", ["redis"], indirect=True)
async def test_a_redis_lock_is_under_the_deployments_prefix(where: Where) -> None:
    """Two services (or test runs) sharing a Redis hold their jobs apart."""
    name = _name()
    client = redis.asyncio.Redis.from_url(REDIS_URL)
    try:
        async with run_once(name, 30, redis_url=where.redis_url, redis_prefix=REDIS_PREFIX) as mine:
            assert mine
            assert await client.exists(f"{REDIS_PREFIX}run-once:{name}")
            assert not await client.exists(f"portal:run-once:{name}")
            # The same job of a service under another prefix is another job.
            async with run_once(name, 30, redis_url=where.redis_url) as other_service:
                assert other_service
        assert not await client.exists(f"{REDIS_PREFIX}run-once:{name}")  # released
    finally:
        await client.aclose()
