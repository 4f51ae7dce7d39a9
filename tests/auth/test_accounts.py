"""Account administration: create (two invitation emails), resend, unlock, deactivate,
the first sign-in with the initial password, and the `portal create-user` command."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portal.auth import api
from portal.auth.passwords import verify_password
from portal.db.tables import AuditEvent, User
from portal.settings import Settings
from portal.validation import Refused
from tests.auth.mailbox import initial_password_in, outbox, sign_in_for_real, text_of
from tests.client import PortalClient
from tests.conftest import Database
from tests.factories import Factory


async def _create(settings: Settings, make: Factory, **fields) -> User:
    provider = await make.provider()
    values = {
        "username": "new.user",
        "email": "new.user@example.org",
        "display_name": "New User",
        "role": "provider",
        "provider_id": provider.id,
        "actor_id": None,
        "settings": settings,
    }
    values.update(fields)
    return await api.create_user(**values)


async def test_created_user_must_change_the_initial_password(
    db: Database, settings: Settings, make: Factory
) -> None:
    admin = await make.user("admin")
    user = await _create(settings, make, actor_id=admin.id)
    assert user.must_change_password and user.active
    first, second = await outbox(settings)
    assert "Your username is: new.user" in text_of(first)
    password = initial_password_in(second)
    assert await verify_password(user.password_hash, password)
    audit = await AuditEvent.select().where(AuditEvent.action == "account created")
    assert audit[0]["actor"] == admin.id and "new.user" in audit[0]["detail"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"username": "x"}, "Enter a username"),
        ({"email": "not-an-email"}, "Enter an email address"),
        ({"role": "boss"}, "Select a role"),
        ({"provider_id": None}, "Select the provider"),
    ],
)
async def test_create_user_rejects_bad_input(
    db: Database, settings: Settings, make: Factory, fields: dict, message: str
) -> None:
    with pytest.raises(Refused, match=message):
        await _create(settings, make, **fields)


async def test_username_must_be_unique(db: Database, settings: Settings, make: Factory) -> None:
    await _create(settings, make)
    with pytest.raises(Refused, match="already exists"):
        await _create(settings, make, username="New.User")


async def test_resend_voids_the_old_password_and_sessions(
    db: Database, settings: Settings, make: Factory, client: PortalClient
) -> None:
    user = await _create(settings, make)
    old_password = initial_password_in((await outbox(settings))[1])
    await client.sign_in_as(user)
    await api.resend_invitation(
        user.id, None, settings=settings, sessions=client.app.state.sessions
    )
    mails = await outbox(settings)
    assert len(mails) == 4
    new_password = initial_password_in(mails[3])
    assert new_password != old_password
    fresh = await User.objects().where(User.id == user.id).first()
    assert not await verify_password(fresh.password_hash, old_password)
    assert await verify_password(fresh.password_hash, new_password)
    assert await client.app.state.sessions.get(client.session_token) is None
    assert await AuditEvent.exists().where(AuditEvent.action == "invitation resent")


async def test_first_sign_in_leads_to_choosing_a_new_password(
    db: Database, settings: Settings, make: Factory, client: PortalClient
) -> None:
    user = await _create(settings, make)
    password = initial_password_in((await outbox(settings))[1])
    response = await sign_in_for_real(client, "new.user", password)
    assert response.headers["location"] == "/account/password"
    # Nothing else until the password is changed: pages, htmx requests, forms.
    assert (await client.get("/events")).headers["location"] == "/account/password"
    assert (await client.get("/events", htmx=True)).headers["hx-redirect"] == "/account/password"
    page = await client.get("/account/password")
    assert "Choose a new password" in page.text and "Current password" not in page.text
    response = await client.post(
        "/account/password", {"new_password": "weak", "confirm_password": "weak"}
    )
    assert "Your password must be at least 8 characters" in response.text
    response = await client.post(
        "/account/password",
        {"new_password": "Kestrel42 nest", "confirm_password": "Kestrel42 nest"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/events"
    assert (await client.get("/events")).status_code == 200
    fresh = await User.objects().where(User.id == user.id).first()
    assert not fresh.must_change_password
    assert await verify_password(fresh.password_hash, "Kestrel42 nest")


async def test_unlock(db: Database, make: Factory) -> None:
    admin = await make.user("admin")
    user = await make.user(failed_attempts=3, locked_until=datetime.now(UTC) + timedelta(minutes=9))
    await api.unlock(user.id, admin.id)
    fresh = await User.objects().where(User.id == user.id).first()
    assert fresh.failed_attempts == 0 and fresh.locked_until is None
    assert await AuditEvent.exists().where(
        (AuditEvent.action == "account unlocked") & (AuditEvent.actor == admin.id)
    )


async def test_deactivated_user_is_signed_out_and_cannot_sign_in(
    db: Database, settings: Settings, make: Factory, client: PortalClient
) -> None:
    from tests.factories import PASSWORD

    user = await make.user()
    await client.sign_in_as(user)
    await api.deactivate(user.id, None, settings=settings)
    assert (await client.get("/events")).headers["location"].startswith("/sign-in")
    client.sign_out_locally()
    response = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
    assert "The username or password is not correct" in response.text
    assert await AuditEvent.exists().where(AuditEvent.action == "account deactivated")


def test_create_user_command(tmp_path: Path) -> None:
    """`python -m portal.cli --data-dir D create-user ...` creates the user and writes
    both emails to the outbox (no server needed)."""
    env = {**os.environ, "PORTAL_DATABASE_URL": "", "PORTAL_SMTP_URL": "", "PORTAL_REDIS_URL": ""}
    args = [sys.executable, "-m", "portal.cli", "--data-dir", str(tmp_path)]
    result = subprocess.run(
        [
            *args, "create-user", "--username", "sam.jones", "--email", "sam@example.org",
            "--display-name", "Sam Jones", "--role", "inspector",
        ],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Created sam.jones" in result.stdout
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
    again = subprocess.run(
        [*args, "resend-invitation", "--username", "sam.jones"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 4
    duplicate = subprocess.run(
        [
            *args, "create-user", "--username", "sam.jones", "--email", "sam@example.org",
            "--display-name", "Sam Jones", "--role", "inspector",
        ],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert duplicate.returncode == 1 and "already exists" in duplicate.stdout
