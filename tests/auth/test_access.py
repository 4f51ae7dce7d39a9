"""The account routes × every kind of user, full page and htmx (tests/access.py)."""

from __future__ import annotations

import pytest

from tests.access import WHO, check
from tests.client import PortalClient
from tests.factories import Factory

SIGNED_IN = {who: ("sign-in" if who == "anonymous" else "ok") for who in WHO}
EVERYONE = dict.fromkeys(WHO, "ok")


ROUTES = [
    ("GET", "/account/password", SIGNED_IN),
    ("POST", "/account/password", SIGNED_IN),
    ("POST", "/account/password/check", SIGNED_IN),
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
