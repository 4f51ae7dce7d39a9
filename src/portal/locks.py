"""Work that must happen once at a time across every worker and machine (a sweep, a round of
reminders): `async with run_once("storage-sweep", ttl=600, redis_url=...) as mine: if mine: ...`.

`mine` is False when another process holds the job now; it does not wait. Where it runs:
- PostgreSQL: a session advisory lock on a connection of its own, held for the block. The
  server frees it when that connection ends, so a holder killed mid-job frees it at once
  and `ttl` is not needed.
- otherwise, with Redis: `SET NX PX ttl`, released only by its holder (token checked).
- otherwise (SQLite): a lease row (`job_lease`), taken in an IMMEDIATE transaction.

With Redis or the lease, a holder that dies blocks the job until `ttl` has passed, and a
job that runs longer than `ttl` may be taken by a second one: choose `ttl` above the job's
longest run. "Once" across time comes from the data (a `reminded_at`), not from the lock.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from portal import redis_clients
from portal.db import engine as db_engine
from portal.db.tables import JobLease

REDIS_KEY = "run-once:"  # after the deployment's prefix (settings.redis_prefix)

# Delete the key only if it still holds our token: a lapsed holder must not free a new one's.
_RELEASE = """
if redis.call("get", KEYS[1]) == ARGV[1] then
    return redis.call("del", KEYS[1])
end
return 0
"""


def _token() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


@asynccontextmanager
async def run_once(
    name: str, ttl: float, *, redis_url: str = "", redis_prefix: str = "portal:"
) -> AsyncIterator[bool]:
    """True inside the block for exactly one holder of `name` at a time."""
    engine: Engine = JobLease._meta.db
    if isinstance(engine, PostgresEngine):
        lock = _advisory_lock(engine, name)
    elif redis_url:
        lock = _redis_lock(redis_url, redis_prefix + REDIS_KEY + name, ttl)
    else:
        lock = _lease(engine, name, ttl)
    async with lock as mine:
        yield mine


async def every(
    name: str,
    every_seconds: float,
    job: Callable[[], Awaitable[object]],
    *,
    log: logging.Logger,
    what: str,
    redis_url: str = "",
    redis_prefix: str = "portal:",
) -> None:
    """`job` at start-up, then every `every_seconds`, until cancelled: in whichever process
    takes `name`'s lock first; the others skip that round. `job` logs its own failures;
    a lock that cannot be taken is one line on `log` ("<what> skipped: ...")."""
    while True:
        try:
            lock = run_once(name, every_seconds, redis_url=redis_url, redis_prefix=redis_prefix)
            async with lock as mine:
                if mine:
                    await job()
        except Exception as error:  # the lock's database or Redis is down: next round
            log.warning("%s skipped: %s: %s", what, type(error).__name__, error)
        await asyncio.sleep(every_seconds)


@asynccontextmanager
async def _advisory_lock(engine: PostgresEngine, name: str) -> AsyncIterator[bool]:
    connection = await engine.get_new_connection()
    try:
        key = "hashtextextended($1, 0)"  # the name as the lock's 64-bit key
        mine = await connection.fetchval(f"SELECT pg_try_advisory_lock({key})", name)
        try:
            yield bool(mine)
        finally:
            if mine:
                await connection.fetchval(f"SELECT pg_advisory_unlock({key})", name)
    finally:
        await connection.close()


@asynccontextmanager
async def _redis_lock(url: str, key: str, ttl: float) -> AsyncIterator[bool]:
    client = redis_clients.connect(url, name="portal-lock")
    token = _token()
    try:
        mine = bool(await client.set(key, token, nx=True, px=max(1, int(ttl * 1000))))
        try:
            yield mine
        finally:
            if mine:
                await client.eval(_RELEASE, 1, key, token)  # type: ignore[misc]
    finally:
        await client.aclose()


# Take the lease when nobody has it or its holder's time is up (one statement, under
# SQLite's write lock from BEGIN: two takers cannot both see it free).
_TAKE = """
INSERT INTO job_lease (name, holder, expires_at) VALUES ({}, {}, {})
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
WHERE job_lease.expires_at <= {}
RETURNING holder
"""


@asynccontextmanager
async def _lease(engine: Engine, name: str, ttl: float) -> AsyncIterator[bool]:
    token, now = _token(), datetime.now(UTC)
    async with db_engine.serialising_transaction(engine):
        taken = await JobLease.raw(_TAKE, name, token, now + timedelta(seconds=ttl), now)
    mine = bool(taken)
    try:
        yield mine
    finally:
        if mine:
            await JobLease.delete().where((JobLease.name == name) & (JobLease.holder == token))
