"""Server-side sessions in the database and, when it answers, in Redis."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from portal.auth.passwords import hash_password, verify_password
from portal.auth.sessions import DatabaseSessionStore, RedisSessionStore, SessionStore
from portal.db.tables import User, UserSession
from tests.conftest import REDIS, REDIS_PREFIX, REDIS_URL, Database
from tests.factories import Factory

STORES = ["database", *(["redis"] if REDIS else [])]


async def _store(kind: str, lifetime: timedelta = timedelta(hours=1)) -> SessionStore:
    if kind == "database":
        return DatabaseSessionStore(lifetime)
    store = RedisSessionStore(REDIS_URL, lifetime, prefix=f"{REDIS_PREFIX}{time.monotonic_ns()}:")
    return store


@pytest.mark.parametrize("kind", STORES)
async def test_session_round_trip_and_delete(db: Database, make: Factory, kind: str) -> None:
    user = await make.user()
    store = await _store(kind)
    token = await store.create(user.id)
    session = await store.get(token)
    assert session is not None and session.user_id == user.id
    assert await store.get(token + "x") is None
    await store.delete(token)
    assert await store.get(token) is None
    await store.close()


@pytest.mark.parametrize("kind", STORES)
async def test_ending_other_sessions_keeps_the_current_one(
    db: Database, make: Factory, kind: str
) -> None:
    user = await make.user()
    other = await make.user()
    store = await _store(kind)
    current, stale = await store.create(user.id), await store.create(user.id)
    someone_else = await store.create(other.id)
    await store.delete_for_user(user.id, keep=current)
    assert await store.get(current) is not None
    assert await store.get(stale) is None
    assert await store.get(someone_else) is not None
    await store.close()


async def test_expired_database_session_is_gone(db: Database, make: Factory) -> None:
    user = await make.user()
    store = DatabaseSessionStore(timedelta(seconds=-1))
    token = await store.create(user.id)
    assert await store.get(token) is None


async def test_only_the_token_hash_is_stored(db: Database, make: Factory) -> None:
    from portal.db.tables import UserSession

    user = await make.user()
    token = await DatabaseSessionStore(timedelta(hours=1)).create(user.id)
    stored = await UserSession.select(UserSession.token_hash).first()
    assert stored["token_hash"] != token and len(stored["token_hash"]) == 64


async def test_password_hashing_does_not_stall_the_event_loop() -> None:
    hashed = await hash_password("Correct horse 1")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)  # let the ticker start
    started = ticks
    assert await verify_password(hashed, "Correct horse 1")
    task.cancel()
    # argon2 takes tens of milliseconds; the loop kept running meanwhile.
    assert ticks - started >= 3
    assert hashed.startswith("$argon2id$")


@pytest.mark.parametrize("kind", STORES)
async def test_the_app_keeps_sessions_in_the_configured_store(
    db: Database, make: Factory, settings, kind: str
) -> None:
    from portal.app import create_app
    from tests.client import PortalClient

    app = create_app(settings.with_(redis_url=REDIS_URL if kind == "redis" else ""))
    world = await make.world()
    async with PortalClient.for_app(app) as client:
        await client.sign_in_as(world.provider_user)
        assert type(app.state.sessions).__name__ == (
            "RedisSessionStore" if kind == "redis" else "DatabaseSessionStore"
        )
        assert (await client.get(f"/events/{world.event.id}")).status_code == 200
        assert (await client.post("/sign-out", {})).status_code == 303
        assert (await client.get(f"/events/{world.event.id}")).status_code == 303


@pytest.mark.parametrize("kind", STORES)
async def test_a_session_signs_in_its_active_user_only(
    db: Database, make: Factory, kind: str
) -> None:
    user = await make.user()
    store = await _store(kind)
    token = await store.create(user.id)
    signed_in = await store.user_for(token)
    assert signed_in is not None and signed_in.id == user.id
    assert signed_in.username == user.username and signed_in.role == user.role
    assert await store.user_for(token + "x") is None
    await User.update({User.active: False}).where(User.id == user.id)
    assert await store.user_for(token) is None
    await store.close()


async def test_an_expired_session_signs_in_nobody_and_is_removed(
    db: Database, make: Factory
) -> None:
    user = await make.user()
    store = DatabaseSessionStore(timedelta(seconds=-1))
    token = await store.create(user.id)
    assert await store.user_for(token) is None
    assert await UserSession.count() == 0
