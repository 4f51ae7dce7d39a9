"""'Forgotten or change password': the whole flow, enumeration, code expiry, reuse and
brute force, unlocking, and other sessions ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.auth import reset
from portal.auth.passwords import verify_password
from portal.auth.tables import PasswordReset
from portal.db.tables import AuditEvent, User
from portal.settings import Settings
from tests.auth.mailbox import html_of, outbox, reset_code_in, text_of
from tests.client import PortalClient
from tests.conftest import Database
from tests.factories import PASSWORD, Factory

NEW = "Kestrel42 nest"
IDENTITY = "If your identity cannot be verified, contact your inspection support administrator"


async def _ask(client: PortalClient, username: str):  # type: ignore[no-untyped-def]
    return await client.post("/forgotten-password", {"username": username})


async def _code(client: PortalClient, settings: Settings, username: str) -> str:
    await _ask(client, username)
    return reset_code_in((await outbox(settings))[-1])


async def test_whole_reset_flow(client: PortalClient, settings: Settings, make: Factory) -> None:
    user = await make.user(username="priya", locked_until=datetime.now(UTC) + timedelta(minutes=10))
    page = await client.get("/forgotten-password")
    assert "Forgotten or change password" in page.text and IDENTITY in page.text
    assert "the inspection support team on 0300 000 0000" in page.text

    response = await _ask(client, "Priya")
    assert response.status_code == 303
    assert response.headers["location"] == "/forgotten-password/code?username=Priya"
    page = await client.get(response.headers["location"])
    assert "If an account exists" in page.text and IDENTITY in page.text

    (message,) = await outbox(settings)
    assert message["To"] == user.email
    code = reset_code_in(message)
    link = f"{settings.base_url}/forgotten-password/code?username=priya&code={code}"
    assert link in text_of(message)
    assert code in html_of(message)
    # Stored only as a hash.
    stored = await PasswordReset.objects().first()
    assert code not in stored.code_hash and code.replace("-", "") not in stored.code_hash

    # The link fills the code in; entering it (any case, with or without the dash) verifies.
    page = await client.get(link.removeprefix(settings.base_url))
    assert f'value="{code}"' in page.text
    response = await client.post(
        "/forgotten-password/code", {"username": "priya", "code": code.lower().replace("-", " ")}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/forgotten-password/new-password"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Path=/forgotten-password" in cookie
    unlocked = await User.objects().where(User.id == user.id).first()
    assert unlocked.locked_until is None  # verifying the identity unlocks the account

    page = await client.get("/forgotten-password/new-password")
    assert "<h1" in page.text and "Password Reset" in page.text and IDENTITY in page.text
    assert "at least one capital letter" in page.text  # the rule, before typing
    response = await client.post(
        "/forgotten-password/new-password", {"new_password": NEW, "confirm_password": "other"}
    )
    assert "The passwords you entered do not match" in response.text
    response = await client.post(
        "/forgotten-password/new-password", {"new_password": NEW, "confirm_password": NEW}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/forgotten-password/done"
    page = await client.get("/forgotten-password/done")
    assert "Your password is now reset" in page.text
    assert '<a class="govuk-link" href="/sign-in">Click here</a>' in page.text

    response = await client.post("/sign-in", {"username": "priya", "password": NEW})
    assert response.status_code == 303
    actions = [r["action"] for r in await AuditEvent.select(AuditEvent.action)]
    assert "password reset requested" in actions
    assert "password reset code verified; account unlocked" in actions
    assert "password reset" in actions


async def test_reset_by_htmx_answers_with_redirects(
    client: PortalClient, settings: Settings, make: Factory
) -> None:
    await make.user(username="tom")
    response = await client.post("/forgotten-password", {"username": "tom"}, htmx=True)
    assert response.headers["hx-redirect"] == "/forgotten-password/code?username=tom"
    code = reset_code_in((await outbox(settings))[-1])
    response = await client.post(
        "/forgotten-password/code", {"username": "tom", "code": "WRONG-123"}, htmx=True
    )
    assert "<html" not in response.text and "The code is not correct" in response.text
    response = await client.post(
        "/forgotten-password/code", {"username": "tom", "code": code}, htmx=True
    )
    assert response.headers["hx-redirect"] == "/forgotten-password/new-password"
    rules = await client.post("/forgotten-password/check", {"new_password": "tom"}, htmx=True)
    assert 'id="password-rules"' in rules.text and "Not met" in rules.text
    assert "data-announce" in rules.text


async def test_expired_code_does_not_work(
    client: PortalClient, settings: Settings, make: Factory
) -> None:
    await make.user(username="ex")
    code = await _code(client, settings, "ex")
    await PasswordReset.update(
        {PasswordReset.expires_at: datetime.now(UTC) - timedelta(seconds=1)}
    ).where(PasswordReset.id > 0)
    response = await client.post("/forgotten-password/code", {"username": "ex", "code": code})
    assert response.status_code == 200 and "The code is not correct" in response.text


async def test_code_works_once(client: PortalClient, settings: Settings, make: Factory) -> None:
    await make.user(username="once")
    code = await _code(client, settings, "once")
    first = await client.post("/forgotten-password/code", {"username": "once", "code": code})
    assert first.status_code == 303
    client.http.cookies.delete("portal_reset")
    again = await client.post("/forgotten-password/code", {"username": "once", "code": code})
    assert again.status_code == 200 and "The code is not correct" in again.text


async def test_the_grant_sets_a_password_once(
    client: PortalClient, settings: Settings, make: Factory
) -> None:
    await make.user(username="grant")
    code = await _code(client, settings, "grant")
    await client.post("/forgotten-password/code", {"username": "grant", "code": code})
    grant = client.http.cookies.get("portal_reset")
    data = {"new_password": NEW, "confirm_password": NEW}
    assert (await client.post("/forgotten-password/new-password", data)).status_code == 303
    client.http.cookies.set(
        "portal_reset", grant, domain="testserver.local", path="/forgotten-password"
    )
    replay = await client.post("/forgotten-password/new-password", data)
    assert replay.status_code == 200 and "This page has expired" in replay.text


async def test_five_wrong_codes_void_it(
    client: PortalClient, settings: Settings, make: Factory
) -> None:
    await make.user(username="brute")
    code = await _code(client, settings, "brute")
    for _ in range(reset.MAX_CODE_ATTEMPTS):
        response = await client.post(
            "/forgotten-password/code", {"username": "brute", "code": "AAAA-AAAA"}
        )
        assert "The code is not correct" in response.text
    response = await client.post("/forgotten-password/code", {"username": "brute", "code": code})
    assert response.status_code == 200 and "The code is not correct" in response.text
    row = await PasswordReset.objects().first()
    assert row.voided_at is not None and row.attempts == reset.MAX_CODE_ATTEMPTS
    assert await AuditEvent.exists().where(AuditEvent.action == "password reset code voided")


async def test_a_new_code_voids_the_earlier_one(
    client: PortalClient, settings: Settings, make: Factory
) -> None:
    await make.user(username="twice")
    first = await _code(client, settings, "twice")
    second = await _code(client, settings, "twice")
    assert first != second
    old = await client.post("/forgotten-password/code", {"username": "twice", "code": first})
    assert old.status_code == 200
    new = await client.post("/forgotten-password/code", {"username": "twice", "code": second})
    assert new.status_code == 303


async def test_reset_ends_every_session_of_the_user(
    client: PortalClient, settings: Settings, make: Factory
) -> None:
    user = await make.user(username="sessions")
    sessions = client.app.state.sessions
    elsewhere = [await sessions.create(user.id), await sessions.create(user.id)]
    code = await _code(client, settings, "sessions")
    await client.post("/forgotten-password/code", {"username": "sessions", "code": code})
    await client.post(
        "/forgotten-password/new-password", {"new_password": NEW, "confirm_password": NEW}
    )
    for token in elsewhere:
        assert await sessions.get(token) is None
    fresh = await User.objects().where(User.id == user.id).first()
    assert await verify_password(fresh.password_hash, NEW)
    assert not await verify_password(fresh.password_hash, PASSWORD)


async def test_new_password_page_without_a_code_has_expired(client: PortalClient) -> None:
    page = await client.get("/forgotten-password/new-password")
    assert "This page has expired" in page.text and "Ask for a new code" in page.text


async def test_empty_username_is_an_error(client: PortalClient, db: Database) -> None:
    response = await client.post("/forgotten-password", {"username": " "})
    assert response.status_code == 200 and "Enter your username" in response.text
    assert "Error: Forgotten or change password" in response.text
