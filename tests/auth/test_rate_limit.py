"""Rate limits in the database and, when it answers, in Redis; and at the sign-in page."""

from __future__ import annotations

import time

import pytest

from portal.auth import rate_limit
from portal.auth.rate_limit import DatabaseRateLimiter, Limit, RedisRateLimiter
from tests.client import PortalClient
from tests.conftest import REDIS, REDIS_PREFIX, REDIS_URL, Database
from tests.factories import PASSWORD, Factory

BACKENDS = ["database", *(["redis"] if REDIS else [])]
# Windows are fixed: a long one, so a test never straddles two.
WINDOW = 10**8


def _limiter(kind: str) -> rate_limit.RateLimiter:
    if kind == "database":
        return DatabaseRateLimiter()
    return RedisRateLimiter(REDIS_URL, prefix=f"{REDIS_PREFIX}{time.monotonic_ns()}:")


@pytest.mark.parametrize("kind", BACKENDS)
async def test_limit_counts_per_subject(db: Database, kind: str) -> None:
    limiter = _limiter(kind)
    limit = Limit("test", 3, WINDOW)
    assert [await rate_limit.allow(limiter, limit, "Alice") for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    assert await limiter.count("test:alice", WINDOW) == 4  # case does not dodge the limit
    assert await rate_limit.allow(limiter, limit, "bob")  # another subject: its own count
    await limiter.close()


@pytest.mark.parametrize("kind", BACKENDS)
async def test_two_limiters_share_the_count(db: Database, kind: str) -> None:
    """Several workers: each has its own limiter object, the count is shared."""
    first = _limiter(kind)
    second = RedisRateLimiter(REDIS_URL, prefix=first.prefix) if kind == "redis" else _limiter(kind)  # type: ignore[attr-defined]
    await first.hit("shared", 60)
    assert await second.hit("shared", 60) == 2
    await first.close()
    await second.close()


@pytest.mark.parametrize("kind", BACKENDS)
async def test_sign_in_is_limited_per_address(
    db: Database, make: Factory, settings, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.app import create_app

    monkeypatch.setattr(rate_limit, "SIGN_IN_PER_ADDRESS", Limit("sign-in:address", 3, WINDOW))
    redis_url = REDIS_URL if kind == "redis" else ""
    app = create_app(settings.with_(redis_url=redis_url))
    if kind == "redis":  # a fresh prefix, so other runs' counts do not interfere
        app.state.rate_limiter = RedisRateLimiter(
            REDIS_URL, prefix=f"{REDIS_PREFIX}{time.monotonic_ns()}:"
        )
    user = await make.user()
    async with PortalClient.for_app(app) as client:
        for n in range(3):
            response = await client.post("/sign-in", {"username": f"x{n}", "password": "no"})
            assert "The username or password is not correct" in response.text
        response = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 200
        assert "Too many attempts to sign in" in response.text


async def test_fifty_sign_ins_a_minute_from_one_address_are_fine(
    client: PortalClient, make: Factory
) -> None:
    users = [await make.user() for _ in range(50)]
    for user in users:
        client.sign_out_locally()
        client.http.cookies.clear()
        response = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 303, response.text


async def test_sign_in_is_limited_per_username(
    client: PortalClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = rate_limit.SIGN_IN_PER_USERNAME.limit
    monkeypatch.setattr(
        rate_limit, "SIGN_IN_PER_USERNAME", Limit("sign-in:username", limit, WINDOW)
    )
    user = await make.user()
    for _ in range(limit):
        client.http.cookies.clear()
        response = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 303
    client.http.cookies.clear()
    response = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many attempts to sign in" in response.text


@pytest.mark.parametrize("kind", BACKENDS)
async def test_the_apps_limiter_is_made_once_and_its_redis_connections_closed_at_shutdown(
    db: Database, make: Factory, settings, kind: str
) -> None:
    from redis.asyncio import Redis

    from portal.app import create_app

    app = create_app(settings.with_(redis_url=REDIS_URL if kind == "redis" else ""))
    expected = RedisRateLimiter if kind == "redis" else DatabaseRateLimiter
    assert isinstance(app.state.rate_limiter, expected)
    user = await make.user()
    names: list[set[object]] = []
    observer = Redis.from_url(REDIS_URL) if kind == "redis" else None
    async with PortalClient.for_app(app) as client:
        response = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 303  # a rate-limit hit and a new session
        if observer is not None:
            names.append({c.get("name") for c in await observer.client_list()})
    if observer is not None:
        names.append({c.get("name") for c in await observer.client_list()})
        await observer.aclose()
        during, after = names
        assert {"portal-rate-limit", "portal-sessions"} <= during
        assert not {"portal-rate-limit", "portal-sessions"} & after
