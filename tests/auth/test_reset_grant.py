"""The grant (the cookie that lets a verified user choose a new password) lasts 30 minutes
from entering the code. Time is moved with portal.clock, not slept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal import clock
from portal.auth import reset
from portal.auth.passwords import verify_password
from portal.db.tables import User
from portal.settings import Settings
from tests.auth.mailbox import outbox, reset_code_in
from tests.client import PortalClient
from tests.factories import PASSWORD, Factory

NEW = "Kestrel42 nest"
EXPIRED = "This page has expired"


def _clock_moved(monkeypatch: pytest.MonkeyPatch, by: timedelta) -> None:
    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() + by)


async def _verified(client: PortalClient, settings: Settings, make: Factory) -> User:
    """A user who asked for a code and entered it: the browser holds the grant."""
    user = await make.user(username="granted")
    await client.post("/forgotten-password", {"username": "granted"})
    code = reset_code_in((await outbox(settings))[-1])
    response = await client.post("/forgotten-password/code", {"username": "granted", "code": code})
    assert response.status_code == 303 and client.http.cookies.get("portal_reset")
    return user


async def _password_is(user: User, password: str) -> bool:
    stored = await User.objects().where(User.id == user.id).first()
    return await verify_password(stored.password_hash, password)


@pytest.mark.parametrize("htmx", [False, True])
async def test_the_grant_still_works_just_inside_30_minutes(
    client: PortalClient,
    settings: Settings,
    make: Factory,
    monkeypatch: pytest.MonkeyPatch,
    htmx: bool,
) -> None:
    user = await _verified(client, settings, make)
    _clock_moved(monkeypatch, timedelta(minutes=reset.VALID_MINUTES, seconds=-30))
    page = await client.get("/forgotten-password/new-password")
    assert EXPIRED not in page.text and 'name="new_password"' in page.text
    data = {"new_password": NEW, "confirm_password": NEW}
    response = await client.post("/forgotten-password/new-password", data, htmx=htmx)
    target = response.headers.get("hx-redirect") or response.headers.get("location")
    assert target == "/forgotten-password/done"
    assert await _password_is(user, NEW)


@pytest.mark.parametrize("htmx", [False, True])
async def test_the_grant_has_expired_after_30_minutes(
    client: PortalClient,
    settings: Settings,
    make: Factory,
    monkeypatch: pytest.MonkeyPatch,
    htmx: bool,
) -> None:
    user = await _verified(client, settings, make)
    _clock_moved(monkeypatch, timedelta(minutes=reset.VALID_MINUTES, seconds=1))
    page = await client.get("/forgotten-password/new-password")
    assert page.status_code == 200
    assert EXPIRED in page.text and "Ask for a new code" in page.text
    assert 'name="new_password"' not in page.text
    data = {"new_password": NEW, "confirm_password": NEW}
    response = await client.post("/forgotten-password/new-password", data, htmx=htmx)
    assert response.status_code == 200 and EXPIRED in response.text
    assert await _password_is(user, PASSWORD)  # nothing changed
    assert not await _password_is(user, NEW)
