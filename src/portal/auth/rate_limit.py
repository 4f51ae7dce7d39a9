"""Rate limits for sign-in and password reset attempts: fixed-window counters per
username and per client address, kept in the database, or in Redis when
PORTAL_REDIS_URL is set so several workers share the count.

Per address the limits are generous (a whole school office may share one address);
per username they are strict (and the lockout after five wrong passwords comes on top).
Reset requests count per username *and* address: someone elsewhere using up a
username's requests does not stop its owner asking for a code from their own desk.

Time is `portal.clock`'s (tests move it; nothing here reads the system clock).
"""

from __future__ import annotations

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
# Counted per "username address" pair (see reset_request_subject).
RESET_REQUEST_PER_USERNAME = Limit("reset-request:username+address", 5, 15 * 60)
RESET_CODE_PER_USERNAME = Limit("reset-code:username", 10, 15 * 60)


def reset_request_subject(username: str, address: str) -> str:
    return f"{username} {address}"


class RateLimiter(Protocol):
    async def hit(self, key: str, window: int) -> int:
        """Count one attempt for `key` in the current window; returns the count so far."""
        ...

    async def count(self, key: str, window: int) -> int: ...

    async def add(self, key: str, expires_at: datetime) -> int:
        """Count one for `key` in a counter with no window: it lives until `expires_at`
        (moved on by every add), then starts again from 1. Returns the count."""
        ...

    async def until(self, key: str) -> datetime | None:
        """When `key`'s counter ends, while it is alive; None when there is none."""
        ...

    async def clear(self, key: str) -> None: ...

    async def close(self) -> None: ...


def _window(window: int) -> int:
    return int(clock.now().timestamp() // window)


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

    async def add(self, key: str, expires_at: datetime) -> int:
        rows = await RateLimitHit.raw(
            "INSERT INTO rate_limit_hit (bucket, count, expires_at) VALUES ({}, 1, {}) "
            "ON CONFLICT (bucket) DO UPDATE SET count = CASE "
            "WHEN rate_limit_hit.expires_at <= {} THEN 1 ELSE rate_limit_hit.count + 1 END, "
            "expires_at = excluded.expires_at RETURNING count",
            key[:250],
            expires_at,
            clock.now(),
        )
        return int(rows[0]["count"])

    async def until(self, key: str) -> datetime | None:
        row = (
            await RateLimitHit.select(RateLimitHit.expires_at)
            .where(RateLimitHit.bucket == key[:250])
            .first()
        )
        ends = clock.aware(row["expires_at"]) if row else None
        return ends if ends is not None and ends > clock.now() else None

    async def clear(self, key: str) -> None:
        await RateLimitHit.delete().where(RateLimitHit.bucket == key[:250])

    async def close(self) -> None:
        return None


# An unwindowed counter in a hash: its end is kept beside the count and judged by the
# app's clock (passed in), so it agrees with the database limiter; Redis's own expiry
# only tidies up a minute after that end.
_ADD = """
local ends = tonumber(redis.call('HGET', KEYS[1], 'ends') or '0')
local count
if ends <= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'count', 1)
  count = 1
else
  count = redis.call('HINCRBY', KEYS[1], 'count', 1)
end
redis.call('HSET', KEYS[1], 'ends', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return count
"""


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

    def _counter(self, key: str) -> str:
        return f"{self.prefix}counter:{key}"

    async def add(self, key: str, expires_at: datetime) -> int:
        now = clock.now().timestamp()
        ends = expires_at.timestamp()
        keep = max(1, int(ends - now)) + 60
        count = await self.redis.eval(_ADD, 1, self._counter(key), now, ends, keep)  # type: ignore[misc]
        return int(count)

    async def until(self, key: str) -> datetime | None:
        value = await self.redis.hget(self._counter(key), "ends")  # type: ignore[misc]
        if value is None:
            return None
        ends = datetime.fromtimestamp(float(value), UTC)
        return ends if ends > clock.now() else None

    async def clear(self, key: str) -> None:
        await self.redis.delete(self._counter(key))

    async def close(self) -> None:
        await self.redis.aclose()


def make_limiter(redis_url: str, prefix: str = "portal:") -> RateLimiter:
    if redis_url:
        return RedisRateLimiter(redis_url, prefix)
    return DatabaseRateLimiter()


async def allow(limiter: RateLimiter, limit: Limit, subject: str) -> bool:
    """Count an attempt against `limit` for `subject`; False once over the limit."""
    subject = subject.strip().lower()[:150] or "-"
    return await limiter.hit(f"{limit.name}:{subject}", limit.window) <= limit.limit


async def allow_all(limiter: RateLimiter, checks: list[tuple[Limit, str]]) -> bool:
    """Every check counts (so one cannot be dodged by tripping another first)."""
    results = [await allow(limiter, limit, subject) for limit, subject in checks]
    return all(results)
