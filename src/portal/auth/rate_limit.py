"""Rate limits for sign-in and password reset attempts: fixed-window counters per
username and per client address, kept in the database, or in Redis when
PORTAL_REDIS_URL is set so several workers share the count.

Per address the limits are generous (a whole school office may share one address);
per username they are strict (and the lockout after five wrong passwords comes on top).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from portal import clock, redis_clients
from portal.auth.tables import RateLimitHit


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int  # attempts allowed in one window
    window: int  # seconds


SIGN_IN_PER_ADDRESS = Limit("sign-in:address", 120, 60)
SIGN_IN_PER_USERNAME = Limit("sign-in:username", 10, 60)
RESET_PER_ADDRESS = Limit("reset:address", 60, 60)
RESET_REQUEST_PER_USERNAME = Limit("reset-request:username", 5, 15 * 60)
RESET_CODE_PER_USERNAME = Limit("reset-code:username", 10, 15 * 60)
# Wrong passwords for usernames that do not exist, so they "lock" like real ones.
UNKNOWN_FAILURES = Limit("sign-in-failed:username", 0, 15 * 60)


class RateLimiter(Protocol):
    async def hit(self, key: str, window: int) -> int:
        """Count one attempt for `key` in the current window; returns the count so far."""
        ...

    async def count(self, key: str, window: int) -> int: ...

    async def close(self) -> None: ...


def _window(window: int, now: float | None = None) -> int:
    return int((now if now is not None else time.time()) // window)


class DatabaseRateLimiter:
    async def hit(self, key: str, window: int) -> int:
        number = _window(window)
        bucket = f"{key}|{number}"[:250]
        expires_at = datetime.fromtimestamp((number + 1) * window, UTC)
        rows = await RateLimitHit.raw(
            "INSERT INTO rate_limit_hit (bucket, count, expires_at) VALUES ({}, 1, {}) "
            "ON CONFLICT (bucket) DO UPDATE SET count = rate_limit_hit.count + 1 "
            "RETURNING count",
            bucket,
            expires_at,
        )
        count = int(rows[0]["count"])
        if count == 1:  # a new window: clear out the old ones now and then
            await RateLimitHit.delete().where(
                RateLimitHit.expires_at < clock.now() - timedelta(minutes=1)
            )
        return count

    async def count(self, key: str, window: int) -> int:
        bucket = f"{key}|{_window(window)}"[:250]
        row = (
            await RateLimitHit.select(RateLimitHit.count)
            .where(RateLimitHit.bucket == bucket)
            .first()
        )
        return int(row["count"]) if row else 0

    async def close(self) -> None:
        return None


class RedisRateLimiter:
    def __init__(self, url: str, prefix: str = "portal:") -> None:
        self.redis = redis_clients.connect(url, name="portal-rate-limit")  # named in CLIENT LIST
        self.prefix = prefix

    def _key(self, key: str, window: int) -> str:
        return f"{self.prefix}rate:{key}|{_window(window)}"

    async def hit(self, key: str, window: int) -> int:
        name = self._key(key, window)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window + 60)
            count, _ = await pipe.execute()
        return int(count)

    async def count(self, key: str, window: int) -> int:
        value = await self.redis.get(self._key(key, window))
        return int(value) if value else 0

    async def close(self) -> None:
        await self.redis.aclose()


def make_limiter(redis_url: str) -> RateLimiter:
    if redis_url:
        return RedisRateLimiter(redis_url)
    return DatabaseRateLimiter()


async def allow(limiter: RateLimiter, limit: Limit, subject: str) -> bool:
    """Count an attempt against `limit` for `subject`; False once over the limit."""
    subject = subject.strip().lower()[:150] or "-"
    return await limiter.hit(f"{limit.name}:{subject}", limit.window) <= limit.limit


async def allow_all(limiter: RateLimiter, checks: list[tuple[Limit, str]]) -> bool:
    """Every check counts (so one cannot be dodged by tripping another first)."""
    results = [await allow(limiter, limit, subject) for limit, subject in checks]
    return all(results)
