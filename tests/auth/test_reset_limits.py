"""The three limits on 'Forgotten or change password', each reached (the user sees the
message) and then, once the window has passed on the app's clock, lifted again; and
requests counted per username *and* address, so nobody elsewhere can use up the
owner's requests."""

from __future__ import annotations

import pytest
from litestar import Litestar

from portal.auth import rate_limit, reset
from portal.auth.rate_limit import Limit
from portal.auth.tables import PasswordReset
from portal.db.tables import User
from portal.settings import Settings
from tests.auth.mailbox import outbox, reset_code_in
from tests.auth.moving_clock import MovingClock
from tests.auth.peers import HEADER, from_peers
from tests.client import PortalClient
from tests.factories import Factory

OWNER_DESK = "192.0.2.10"
ELSEWHERE = "198.51.100.7"
TOO_MANY = "Too many attempts. Wait a few minutes, then try again"


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    # The equal-time floor is tested in test_reset.py; here it would only slow things.
    monkeypatch.setattr(reset, "MIN_REQUEST_SECONDS", 0)


async def _ask(client: PortalClient, username: str, peer: str):  # type: ignore[no-untyped-def]
    return await client.post("/forgotten-password", {"username": username}, headers={HEADER: peer})


async def _codes_sent(user: User) -> int:
    return await PasswordReset.count().where(PasswordReset.user == user.id)


async def test_reset_requests_are_limited_per_username_and_address(
    app: Litestar, client: PortalClient, make: Factory, moving_clock: MovingClock
) -> None:
    from_peers(app)
    owner = await make.user(username="priya")
    limit = rate_limit.RESET_REQUEST_PER_USERNAME
    assert (limit.limit, limit.window) == (5, 15 * 60)
    # Someone elsewhere uses up the requests for the owner's username...
    for _ in range(limit.limit):
        assert (await _ask(client, "priya", ELSEWHERE)).status_code == 303
    refused = await _ask(client, "priya", ELSEWHERE)
    assert refused.status_code == 200 and TOO_MANY in refused.text
    assert 'href="#username"' in refused.text  # the error summary links to the field
    assert await _codes_sent(owner) == limit.limit
    # ...and the owner, at their own desk, still gets a code.
    response = await _ask(client, "priya", OWNER_DESK)
    assert response.status_code == 303
    assert await _codes_sent(owner) == limit.limit + 1
    # An unknown username meets the same limit at the same count: no hint either way.
    for _ in range(limit.limit):
        assert (await _ask(client, "nobody-here", ELSEWHERE)).status_code == 303
    assert TOO_MANY in (await _ask(client, "nobody-here", ELSEWHERE)).text
    # Once the window has passed, elsewhere may ask again.
    moving_clock.advance(seconds=limit.window)
    assert (await _ask(client, "priya", ELSEWHERE)).status_code == 303
    assert await _codes_sent(owner) == limit.limit + 2


async def test_reset_steps_are_limited_per_address(
    app: Litestar,
    client: PortalClient,
    make: Factory,
    moving_clock: MovingClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Generous per address (a whole office shares one): 60 a minute, requests and codes
    together. Checked at 3 a minute, the same counter and rule."""
    assert (rate_limit.RESET_PER_ADDRESS.limit, rate_limit.RESET_PER_ADDRESS.window) == (60, 60)
    monkeypatch.setattr(rate_limit, "RESET_PER_ADDRESS", Limit("reset:address", 3, 60))
    from_peers(app)
    await make.user(username="priya")
    assert (await _ask(client, "alex", OWNER_DESK)).status_code == 303
    assert (await _ask(client, "sam", OWNER_DESK)).status_code == 303
    code = await client.post(
        "/forgotten-password/code", {"username": "kim", "code": "ABCD-EFGH"},
        headers={HEADER: OWNER_DESK},
    )  # fmt: skip
    assert reset.WRONG_CODE.split(",")[0] in code.text
    refused = await _ask(client, "priya", OWNER_DESK)
    assert refused.status_code == 200 and TOO_MANY in refused.text
    # Another address is not held back...
    assert (await _ask(client, "priya", ELSEWHERE)).status_code == 303
    # ...and after the minute, this one may ask again.
    moving_clock.advance(seconds=60)
    assert (await _ask(client, "priya", OWNER_DESK)).status_code == 303


async def test_code_attempts_are_limited_per_username(
    client: PortalClient, settings: Settings, make: Factory, moving_clock: MovingClock
) -> None:
    user = await make.user(username="priya")
    limit = rate_limit.RESET_CODE_PER_USERNAME
    assert (limit.limit, limit.window) == (10, 15 * 60)
    for _ in range(limit.limit):
        response = await client.post(
            "/forgotten-password/code", {"username": "priya", "code": "ABCD-EFGH"}
        )
        assert reset.WRONG_CODE in response.text
    # Over the limit even the right code is refused, with the limit's message.
    await client.post("/forgotten-password", {"username": "priya"})
    code = reset_code_in((await outbox(settings))[-1])
    refused = await client.post("/forgotten-password/code", {"username": "priya", "code": code})
    assert refused.status_code == 200 and TOO_MANY in refused.text
    assert 'href="#code"' in refused.text
    # The window passes: the same code (30 minutes good) now works.
    moving_clock.advance(seconds=limit.window)
    response = await client.post("/forgotten-password/code", {"username": "priya", "code": code})
    assert response.status_code == 303
    assert response.headers["location"] == "/forgotten-password/new-password"
    assert (await PasswordReset.objects().where(PasswordReset.user == user.id).first()) is not None
