"""Sign-in page, lockout and unlock, and changing one's password when signed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.auth import api
from portal.auth.passwords import verify_password
from portal.auth.sessions import COOKIE_NAME
from portal.db.tables import AuditEvent, User
from tests.auth.mailbox import sign_in_for_real
from tests.client import PortalClient
from tests.factories import PASSWORD, Factory

NEW = "Kestrel42 nest"


async def test_wrong_password_shows_the_guide_message(client: PortalClient, make: Factory) -> None:
    user = await make.user()
    response = await client.post("/sign-in", {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert "The username or password is not correct" in response.text
    unknown = await client.post("/sign-in", {"username": "nobody", "password": "nope"})
    assert "The username or password is not correct" in unknown.text


async def test_sign_in_rotates_the_session_id_and_sets_a_safe_cookie(
    client: PortalClient, make: Factory
) -> None:
    user = await make.user()
    response = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=") and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower() and "Path=/" in cookie
    first = client.http.cookies.get(COOKIE_NAME)
    assert first
    # Signing in again with a session id already in the browser: a new id, the old one gone.
    client.session_token = first
    again = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
    assert again.status_code == 303
    second = client.http.cookies.get(COOKIE_NAME)
    assert second and second != first
    assert await client.app.state.sessions.get(first) is None
    assert await client.app.state.sessions.get(second) is not None


async def test_five_wrong_passwords_lock_the_account(client: PortalClient, make: Factory) -> None:
    user = await make.user()
    for attempt in range(4):
        response = await client.post("/sign-in", {"username": user.username, "password": "x"})
        assert "The username or password is not correct" in response.text, attempt
    response = await client.post("/sign-in", {"username": user.username, "password": "x"})
    assert "Your account is locked" in response.text
    assert "Forgotten or change password" in response.text
    assert "inspection support administrator" in response.text
    locked = await User.objects().where(User.id == user.id).first()
    assert locked.locked_until is not None
    # Even the right password does not open it now.
    response = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200 and "Your account is locked" in response.text
    assert await AuditEvent.exists().where(AuditEvent.action == "account locked")

    # The administrator unlocks it.
    await api.unlock(user.id, None)
    response = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 303


async def test_lock_ends_after_the_set_minutes(client: PortalClient, make: Factory) -> None:
    user = await make.user(locked_until=datetime.now(UTC) - timedelta(seconds=1))
    response = await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 303


async def test_a_right_password_resets_the_count(client: PortalClient, make: Factory) -> None:
    user = await make.user(failed_attempts=4)
    await client.post("/sign-in", {"username": user.username, "password": PASSWORD})
    assert (await User.objects().where(User.id == user.id).first()).failed_attempts == 0


async def test_unknown_usernames_lock_too(client: PortalClient, make: Factory) -> None:
    """So that locking does not tell which usernames exist."""
    for _ in range(4):
        await client.post("/sign-in", {"username": "ghost", "password": "x"})
    response = await client.post("/sign-in", {"username": "ghost", "password": "x"})
    assert "Your account is locked" in response.text


async def test_change_password_needs_the_current_one(client: PortalClient, make: Factory) -> None:
    user = await make.user()
    await sign_in_for_real(client, user.username, PASSWORD)
    page = await client.get("/account/password")
    assert "Change your password" in page.text and "Current password" in page.text
    assert 'data-hx-trigger="keyup changed delay:400ms"' in page.text
    response = await client.post(
        "/account/password",
        {"current_password": "wrong", "new_password": NEW, "confirm_password": NEW},
    )
    assert "Your current password is not correct" in response.text
    response = await client.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "Password1",
            "confirm_password": "Password1",
        },
    )
    assert "too common" in response.text


async def test_change_password_ends_other_sessions_only(
    client: PortalClient, make: Factory
) -> None:
    user = await make.user()
    other = await client.app.state.sessions.create(user.id)
    await sign_in_for_real(client, user.username, PASSWORD)
    response = await client.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account/password?done=1"
    assert await client.app.state.sessions.get(other) is None
    page = await client.get("/account/password?done=1")
    assert page.status_code == 200 and "Your password has been changed" in page.text
    fresh = await User.objects().where(User.id == user.id).first()
    assert await verify_password(fresh.password_hash, NEW)
    assert await AuditEvent.exists().where(AuditEvent.action == "password changed")


async def test_live_check_marks_each_rule(client: PortalClient, make: Factory) -> None:
    user = await make.user(username="checker")
    await client.sign_in_as(user)
    response = await client.post("/account/password/check", {"new_password": "checker"}, htmx=True)
    assert "<html" not in response.text and 'id="password-rules"' in response.text
    assert response.text.count("Not met") == 4  # length, digit, capital, not the username
    assert "Your password still needs:" in response.text
    response = await client.post("/account/password/check", {"new_password": NEW}, htmx=True)
    assert "Not met" not in response.text
    assert 'data-announce="Your password meets every rule"' in response.text
