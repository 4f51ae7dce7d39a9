"""Sessions end after 30 minutes without a request and 12 hours after signing in, on both
stores (database and Redis); the next request lands on sign-in saying why (htmx: by
HX-Redirect); 'Stay signed in' (the keep-alive route) starts the 30 minutes again.
Time is moved on the app's clock, never waited for."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import pytest
from redis.asyncio import Redis

from portal.app import create_app
from portal.auth.passwords import verify_password
from portal.auth.sessions import RedisSessionStore
from portal.db.tables import User, UserSession
from portal.settings import Settings
from tests.auth.moving_clock import MovingClock
from tests.client import PortalClient
from tests.conftest import REDIS, REDIS_URL, Database
from tests.factories import PASSWORD, Factory
from tests.html_check import record_page

STORES = ["database", *(["redis"] if REDIS else [])]
IDLE = "You have been signed out because you have not used the service for 30 minutes"
ABSOLUTE = "You have been signed out because you signed in more than 12 hours ago"
NEW = "Kestrel42 nest"


@pytest.fixture(params=STORES)
async def timed(
    request: pytest.FixtureRequest, db: Database, settings: Settings
) -> AsyncIterator[PortalClient]:
    """A client of an app (30-minute idle timeout, 12-hour lifetime: the defaults) whose
    sessions are in the database or in Redis (under a prefix of its own, removed after)."""
    assert (settings.session_idle_seconds, settings.session_hours) == (30 * 60, 12)
    app = create_app(settings)
    prefix = f"portal-test-{time.monotonic_ns()}:"
    if request.param == "redis":
        app.state.sessions = RedisSessionStore(
            REDIS_URL, timedelta(hours=12), prefix=prefix, idle=timedelta(minutes=30)
        )
    async with PortalClient.for_app(app, on_page=record_page) as client:
        yield client
    if request.param == "redis":
        redis = Redis.from_url(REDIS_URL)
        keys = [key async for key in redis.scan_iter(f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def _on_app_loop(client: PortalClient, function: Any, *args: Any) -> Any:
    """Run a store call on the app's own event loop (a Redis connection belongs to it)."""
    return await anyio.to_thread.run_sync(client.http.blocking_portal.call, function, *args)


def _sign_in_again(response, why: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The redirect's query, after checking it goes to sign-in and clears the cookie."""
    location = response.headers.get("location") or response.headers.get("hx-redirect")
    assert location, (response.status_code, response.headers)
    parts = urlsplit(location)
    assert parts.path == "/sign-in"
    query = parse_qs(parts.query)
    assert query["signed-out"] == [why]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("portal_session=;") and "Max-Age=0" in cookie
    return query


async def test_thirty_idle_minutes_end_the_session(
    timed: PortalClient, make: Factory, moving_clock: MovingClock
) -> None:
    await timed.sign_in_as(await make.user())
    token = timed.session_token
    assert (await timed.get("/events")).status_code == 200
    # Each request starts the 30 minutes again: an hour of use, never 30 minutes idle.
    for _ in range(3):
        moving_clock.advance(minutes=29)
        assert (await timed.get("/events")).status_code == 200
    moving_clock.advance(minutes=30)
    response = await timed.get("/events?page=2")
    assert response.status_code == 303
    query = _sign_in_again(response, "idle")
    assert query["next"] == ["/events?page=2"]  # back where they were, once signed in
    page = await timed.get(response.headers["location"])
    assert page.status_code == 200 and IDLE in page.text
    assert 'role="region"' in page.text  # the GOV.UK notification banner
    # The session is gone from the store, not only from the browser.
    assert await _on_app_loop(timed, timed.app.state.sessions.get, token) is None
    timed.http.cookies.set(timed.session_cookie, token or "", domain="testserver.local")
    again = await timed.get("/events")
    assert again.status_code == 303 and "signed-out" not in again.headers["location"]


async def test_an_htmx_request_after_the_end_loads_the_sign_in_page(
    timed: PortalClient, make: Factory, moving_clock: MovingClock
) -> None:
    await timed.sign_in_as(await make.user())
    moving_clock.advance(minutes=30)
    response = await timed.get("/events", htmx=True)
    assert response.status_code == 200 and response.text == ""
    query = _sign_in_again(response, "idle")
    assert query["next"] == ["/events"]


async def test_a_form_sent_after_the_end_changes_nothing(
    timed: PortalClient, make: Factory, moving_clock: MovingClock
) -> None:
    user = await make.user()
    await timed.sign_in_as(user)
    moving_clock.advance(minutes=31)
    response = await timed.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW},
    )
    assert response.status_code == 303
    assert "next" not in _sign_in_again(response, "idle")  # a POST is not replayed
    fresh = await User.objects().where(User.id == user.id).first()
    assert await verify_password(fresh.password_hash, PASSWORD)


async def test_twelve_hours_end_the_session_however_busy(
    timed: PortalClient, make: Factory, moving_clock: MovingClock
) -> None:
    await timed.sign_in_as(await make.user())
    for _ in range(12 * 3 - 1):  # a request every 20 minutes, up to 11 h 40 min
        moving_clock.advance(minutes=20)
        assert (await timed.get("/events")).status_code == 200
    moving_clock.advance(minutes=19, seconds=59)
    assert (await timed.get("/events")).status_code == 200
    moving_clock.advance(seconds=1)
    response = await timed.get("/events")
    _sign_in_again(response, "absolute")
    page = await timed.get(response.headers["location"])
    assert ABSOLUTE in page.text


async def test_stay_signed_in_starts_the_thirty_minutes_again(
    timed: PortalClient, make: Factory, moving_clock: MovingClock
) -> None:
    await timed.sign_in_as(await make.user())
    assert (await timed.get("/events")).status_code == 200
    moving_clock.advance(minutes=28)  # the warning shows at 28 minutes
    response = await timed.post("/account/keep-alive", htmx=True)
    assert response.status_code == 204
    assert response.headers["x-session-ends-in"] == str(30 * 60)
    assert response.headers["cache-control"] == "no-store"
    moving_clock.advance(minutes=29)  # 57 minutes after the page: still signed in
    assert (await timed.get("/events")).status_code == 200
    # It needs the CSRF token, like every POST.
    refused = await timed.post("/account/keep-alive", htmx=True, csrf_token=False)
    assert refused.status_code == 403
    # Near the 12-hour end it cannot go past it.
    for _ in range(11 * 2):  # to 11 h 35 min
        moving_clock.advance(minutes=29)
        await timed.post("/account/keep-alive", htmx=True)
    moving_clock.advance(minutes=10)
    response = await timed.post("/account/keep-alive", htmx=True)
    assert response.status_code == 204
    assert 0 < int(response.headers["x-session-ends-in"]) < 30 * 60


async def test_signed_in_pages_carry_the_warning_and_signed_out_ones_do_not(
    timed: PortalClient, make: Factory, moving_clock: MovingClock
) -> None:
    signed_out = await timed.get("/sign-in")
    assert "portal-timeout" not in signed_out.text and "session-timeout" not in signed_out.text
    await timed.sign_in_as(await make.user())
    moving_clock.advance(minutes=5)
    page = (await timed.get("/events")).text
    dialog = re.search(r"<dialog id=\"portal-timeout\"[^>]*>", page, re.DOTALL)
    assert dialog, page
    assert 'data-ends-in="001800"' in dialog.group(0)  # moved on by this request
    assert 'data-ends-by="042900"' in dialog.group(0)  # 12 hours less 5 minutes
    assert 'data-warn-before="120"' in dialog.group(0)
    assert 'aria-labelledby="portal-timeout-heading"' in dialog.group(0)
    assert "You’re about to be signed out" in page and ">Stay signed in</button>" in page
    assert re.search(r'<script type="module" src="/static/js/session-timeout\.[^"]*js"', page)


async def test_requests_within_a_minute_write_nothing(
    db: Database, settings: Settings, make: Factory, moving_clock: MovingClock
) -> None:
    """The end moves on at most once a minute (a busy page's requests write nothing)."""
    app = create_app(settings)
    async with PortalClient.for_app(app) as client:
        await client.sign_in_as(await make.user())
        await client.get("/events")
        first = (await UserSession.select(UserSession.expires_at).first())["expires_at"]
        moving_clock.advance(seconds=59)
        await client.get("/events")
        assert (await UserSession.select(UserSession.expires_at).first())["expires_at"] == first
        moving_clock.advance(seconds=2)
        await client.get("/events")
        assert (await UserSession.select(UserSession.expires_at).first())["expires_at"] != first


async def test_a_page_anyone_may_read_is_shown_signed_out(
    timed: PortalClient, make: Factory, moving_clock: MovingClock
) -> None:
    """Help, accessibility and the like do not bounce to sign-in after the end: they are
    shown as to anyone signed out (and the session is gone)."""
    await timed.sign_in_as(await make.user())
    token = timed.session_token
    moving_clock.advance(minutes=30)
    page = await timed.get("/accessibility")
    assert page.status_code == 200
    assert ">Sign out</button>" not in page.text and "portal-timeout" not in page.text
    assert await _on_app_loop(timed, timed.app.state.sessions.get, token) is None
