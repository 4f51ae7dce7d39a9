"""The account routes × every kind of user, full page and htmx (tests/access.py)."""

from __future__ import annotations

import pytest

from tests.access import CHECKED, WHO, Expect, assert_answer, check
from tests.client import PortalClient
from tests.factories import Factory

SIGNED_IN = {who: ("sign-in" if who == "anonymous" else 200) for who in WHO}
EVERYONE = dict.fromkeys(WHO, 200)
# Signed in, the sign-in page leads home (302).
SIGN_IN_PAGE = {who: (200 if who == "anonymous" else 302) for who in WHO}
# Nothing to show: the session's idle time starts again (204).
KEEP_ALIVE = {who: ("sign-in" if who == "anonymous" else 204) for who in WHO}

COVERS = {
    "auth.sign_in",
    "auth.sign_in_submit",
    "auth.sign_out",
    "auth.signed_out",
    "auth.change_password",
    "auth.change_password_submit",
    "auth.change_password_check",
    "auth.keep_alive",
    "auth.forgotten_password",
    "auth.forgotten_password_submit",
    "auth.reset_code",
    "auth.reset_code_submit",
    "auth.reset_password",
    "auth.reset_password_submit",
    "auth.reset_password_check",
    "auth.reset_done",
}

ROUTES = [
    # An empty form is shown again with errors (200).
    ("GET", "/sign-in", SIGN_IN_PAGE),
    ("POST", "/sign-in", EVERYONE),
    ("GET", "/signed-out", EVERYONE),
    ("GET", "/account/password", SIGNED_IN),
    ("POST", "/account/password", SIGNED_IN),
    ("POST", "/account/password/check", SIGNED_IN),
    ("POST", "/account/keep-alive", KEEP_ALIVE),
    ("GET", "/forgotten-password", EVERYONE),
    ("POST", "/forgotten-password", EVERYONE),
    ("GET", "/forgotten-password/code", EVERYONE),
    ("POST", "/forgotten-password/code", EVERYONE),
    ("GET", "/forgotten-password/new-password", EVERYONE),
    ("POST", "/forgotten-password/new-password", EVERYONE),
    ("POST", "/forgotten-password/check", EVERYONE),
    ("GET", "/forgotten-password/done", EVERYONE),
]


@pytest.mark.parametrize("who", WHO)
async def test_account_route_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    for method, url, expected in ROUTES:
        await check(client, world, who, method, url, expected[who])


@pytest.mark.parametrize("who", WHO)
async def test_sign_out_access(client: PortalClient, make: Factory, who: str) -> None:
    """Anyone may sign out. Signing out ends the session the CSRF token is bound to, so
    each pass (full page, then htmx) starts from a fresh sign-in, where check() signs in
    once for both."""
    world = await make.world()
    CHECKED["auth.sign_out"].add(who)
    user = world.user(who)
    for htmx in (False, True):
        client.sign_out_locally()
        if user is not None:
            await client.sign_in_as(user)
        response = await client.post("/sign-out", {}, htmx=htmx)
        assert_answer(response, Expect(303, 200, to="/signed-out"), who, "POST", "/sign-out", htmx)
