"""One lockout rule for every username, real or not, on both rate-limiter stores; and the
current-password check on 'Change password' behind the sign-in's limits and lockout."""

from __future__ import annotations

import html
import re
import time
from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from redis.asyncio import Redis

from portal.app import create_app
from portal.auth import rate_limit
from portal.auth.passwords import verify_password
from portal.auth.rate_limit import RedisRateLimiter
from portal.db.tables import AuditEvent, User
from portal.settings import Settings
from tests.auth.mailbox import sign_in_for_real
from tests.auth.moving_clock import MovingClock
from tests.client import PortalClient
from tests.conftest import REDIS, REDIS_URL, Database
from tests.factories import PASSWORD, Factory

BACKENDS = ["database", *(["redis"] if REDIS else [])]
NEW = "Kestrel42 nest"
WRONG = "The username or password is not correct"
LOCKED = "Your account is locked after 5 wrong passwords in a row"


def _error(page: str) -> str:
    """The message next to the field, as the user reads it."""
    found = re.search(r'class="govuk-error-message">(.*?)</p>', page, re.DOTALL)
    assert found, page
    text = re.sub(r"<[^>]+>", "", found.group(1))
    return " ".join(html.unescape(text).replace("Error:", "").split())


@pytest.fixture(params=BACKENDS)
async def limited(
    request: pytest.FixtureRequest, db: Database, settings: Settings
) -> AsyncIterator[PortalClient]:
    """A client of an app whose rate limiter is the database's or Redis's."""
    app: Litestar = create_app(settings)
    prefix = f"portal-test-{time.monotonic_ns()}:"
    if request.param == "redis":  # a fresh prefix: other runs' counts do not interfere
        app.state.rate_limiter = RedisRateLimiter(REDIS_URL, prefix=prefix)
    async with PortalClient.for_app(app) as client:
        yield client
    if request.param == "redis":  # and nothing is left behind
        redis = Redis.from_url(REDIS_URL)
        keys = [key async for key in redis.scan_iter(f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def _try(client: PortalClient, username: str, password: str = "wrong") -> str:
    client.http.cookies.clear()
    client.sign_out_locally()
    response = await client.post("/sign-in", {"username": username, "password": password})
    return "signed in" if response.status_code == 303 else _error(response.text)


async def test_real_and_unknown_usernames_lock_and_unlock_on_one_schedule(
    limited: PortalClient, make: Factory, moving_clock: MovingClock
) -> None:
    """Four wrong passwords, then a quarter of an hour (across a 15-minute window's edge,
    where unknown names used to start again), then one more: both lock, at the same
    moment, and both open again at the same moment."""
    await make.user(username="priya")
    names = ("priya", "ghost")
    for _ in range(4):
        assert [await _try(limited, name) for name in names] == [WRONG, WRONG]
    moving_clock.advance(minutes=15)
    fifth = [await _try(limited, name) for name in names]
    assert fifth[0].startswith(LOCKED) and fifth[1] == fifth[0]
    # Locked: more tries, even the right password, get the same message.
    assert [await _try(limited, name) for name in names] == fifth
    assert await _try(limited, "priya", PASSWORD) == fifth[0]
    moving_clock.advance(minutes=14, seconds=59)
    assert [await _try(limited, name) for name in names] == fifth
    # The lock ends 15 minutes after the fifth wrong password, for both, and the count
    # starts again from nothing.
    moving_clock.advance(seconds=1)
    assert [await _try(limited, name) for name in names] == [WRONG, WRONG]
    assert await _try(limited, "priya", PASSWORD) == "signed in"


async def _change(client: PortalClient, current: str) -> tuple[int, str]:
    response = await client.post(
        "/account/password",
        {"current_password": current, "new_password": NEW, "confirm_password": NEW},
    )
    return response.status_code, _error(response.text) if response.status_code == 200 else ""


async def test_change_password_guesses_lock_the_account(
    limited: PortalClient, make: Factory, moving_clock: MovingClock
) -> None:
    user = await make.user(username="priya")
    assert (await sign_in_for_real(limited, "priya", PASSWORD)).status_code == 303
    for _ in range(4):
        assert await _change(limited, "guess") == (200, "Your current password is not correct")
    status, message = await _change(limited, "guess")
    assert status == 200 and message.startswith(LOCKED)
    # The right one now gets the lockout message too, and changes nothing.
    assert await _change(limited, PASSWORD) == (200, message)
    fresh = await User.objects().where(User.id == user.id).first()
    assert await verify_password(fresh.password_hash, PASSWORD)
    assert fresh.locked_until is not None
    assert await AuditEvent.exists().where(AuditEvent.action == "account locked")
    # The same lock holds at the sign-in page.
    limited.sign_out_locally()
    assert (await _try(limited, "priya", PASSWORD)).startswith(LOCKED)
    # Once it ends, the right current password changes it.
    moving_clock.advance(minutes=15)
    assert (await sign_in_for_real(limited, "priya", PASSWORD)).status_code == 303
    assert await _change(limited, PASSWORD) == (303, "")


async def test_change_password_guesses_meet_the_sign_in_rate_limit(
    db: Database, settings: Settings, make: Factory, moving_clock: MovingClock
) -> None:
    """Per username, 10 a minute, shared with the sign-in page (the lockout is set out of
    the way here, to see the limit alone)."""
    limit = rate_limit.SIGN_IN_PER_USERNAME
    assert (limit.limit, limit.window) == (10, 60)
    app = create_app(settings.with_(lockout_attempts=100))
    await make.user(username="priya")
    async with PortalClient.for_app(app) as client:
        assert (await sign_in_for_real(client, "priya", PASSWORD)).status_code == 303
        for _ in range(limit.limit - 1):  # the sign-in itself was the first
            assert await _change(client, "guess") == (200, "Your current password is not correct")
        assert await _change(client, PASSWORD) == (
            200,
            "Too many attempts. Wait a minute, then try again",
        )
        moving_clock.advance(seconds=60)
        assert await _change(client, PASSWORD) == (303, "")
