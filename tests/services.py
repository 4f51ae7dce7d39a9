"""The services a test run uses besides SQLite: where they are and whether they answer.

`python -m tests.services --wait 20` (scripts/test.sh, under CI=true) waits up to that many
seconds for PostgreSQL and Redis to answer, and fails naming the ones that did not: a CI
machine that starts them alongside the tests gets a moment, and never a shorter run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

PG_ADMIN_URL = os.environ.get("PORTAL_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS", "redis://127.0.0.1:6379/15")


def run_sync(coro: Any) -> Any:
    """Run a coroutine to completion from sync code, even inside a running loop
    (session fixtures are first requested from async fixtures)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def postgres_answers(timeout: float = 2) -> bool:
    import asyncpg

    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(PG_ADMIN_URL, timeout=timeout)
        except Exception:
            return False
        await conn.close()
        return True

    return bool(run_sync(probe()))


def redis_answers(timeout: float = 1) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def remove_keys(prefix: str) -> int:
    """Delete every key starting with `prefix`, in every database of the test Redis (the
    tests use more than one); how many there were."""
    import redis

    if not prefix or "*" in prefix:
        raise ValueError(f"not a run's own prefix: {prefix!r}")
    admin = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    # The URL's database wins over a db= argument: each database by the URL's own details.
    pool = admin.connection_pool
    try:
        databases = int(admin.config_get("databases").get("databases", 16))
    except redis.RedisError:
        databases = 16
    finally:
        admin.close()
    removed = 0
    for number in range(databases):
        client = redis.Redis(
            connection_pool=redis.ConnectionPool(
                connection_class=pool.connection_class, **{**pool.connection_kwargs, "db": number}
            )
        )
        try:
            keys = list(client.scan_iter(match=f"{prefix}*", count=500))
            for start in range(0, len(keys), 500):
                removed += int(client.delete(*keys[start : start + 500]))
        finally:
            client.close()
            client.connection_pool.disconnect()
    return removed


SERVICES = {
    "PostgreSQL": (PG_ADMIN_URL, postgres_answers),
    "Redis": (REDIS_URL, redis_answers),
}


def missing(wait_seconds: float = 0) -> list[str]:
    """The services (name at URL) that did not answer within `wait_seconds`."""
    deadline = time.monotonic() + wait_seconds
    waiting = dict(SERVICES)
    while True:
        waiting = {name: s for name, s in waiting.items() if not s[1]()}
        if not waiting or time.monotonic() >= deadline:
            return [f"{name} at {url}" for name, (url, _) in waiting.items()]
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wait", type=float, default=20, help="seconds to wait (default 20)")
    args = parser.parse_args(argv)
    absent = missing(args.wait)
    if absent:
        print(
            f"CI=true but {' and '.join(absent)} did not answer within {args.wait:g} s",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
