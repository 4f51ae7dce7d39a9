"""What docs/SECURITY.md says is never written down: passwords, reset codes, reset grants
and session tokens appear in no log line and no audit entry, through a whole journey
(wrong and right passwords, a reset by the emailed link, a password change)."""

from __future__ import annotations

import logging

import pytest

from portal.auth.sessions import COOKIE_NAME
from portal.db.tables import AuditEvent
from portal.settings import Settings
from tests.auth.mailbox import outbox, reset_code_in, sign_in_for_real
from tests.client import PortalClient
from tests.factories import PASSWORD, Factory

WRONG = "Wrong-Guess-7731"
RESET_TO = "Kestrel42 nest"
CHANGED_TO = "Heron77 river bank"


async def test_no_password_code_or_token_is_logged_or_audited(
    client: PortalClient, settings: Settings, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await make.user(username="priya")
    secrets: list[str] = [PASSWORD, WRONG, RESET_TO, CHANGED_TO]

    await client.post("/sign-in", {"username": "priya", "password": WRONG})
    await client.post("/forgotten-password", {"username": "priya"})
    code = reset_code_in((await outbox(settings))[-1])
    secrets += [code, code.replace("-", "")]
    # The emailed link carries the code in its query string.
    page = await client.get(f"/forgotten-password/code?username=priya&code={code}")
    assert page.status_code == 200
    response = await client.post("/forgotten-password/code", {"username": "priya", "code": code})
    grant = response.cookies.get("portal_reset") or client.http.cookies.get("portal_reset")
    assert grant
    secrets.append(grant)
    await client.post(
        "/forgotten-password/new-password",
        {"new_password": RESET_TO, "confirm_password": RESET_TO},
    )
    assert (await sign_in_for_real(client, "priya", RESET_TO)).status_code == 303
    token = client.http.cookies.get(COOKIE_NAME)
    assert token
    secrets.append(token)
    changed = await client.post(
        "/account/password",
        {"current_password": RESET_TO, "new_password": CHANGED_TO, "confirm_password": CHANGED_TO},
    )
    assert changed.status_code == 303

    # The portal's own log lines, at every level (uvicorn's access log, which would
    # carry query strings, is off in `portal serve`; the test client's and the database
    # driver's debug lines are not the portal's).
    logged = "\n".join(
        record.getMessage() + " " + repr(record.__dict__)
        for record in caplog.records
        if record.name == "portal" or record.name.startswith("portal.")
    )
    assert "/forgotten-password/code" in logged  # the request log did see the link
    audited = " ".join(
        f"{row['action']} {row['detail']}"
        for row in await AuditEvent.select(AuditEvent.action, AuditEvent.detail)
    )
    assert "password reset code verified" in audited
    for secret in secrets:
        assert secret not in logged, secret
        assert secret not in audited, secret
