"""/metrics × every kind of user: a session opens nothing. The test client has no network
address of its own, so every request is from outside PORTAL_METRICS_ALLOW: 403 for all,
full page and htmx alike (tests/web/test_metrics.py reads it from loopback)."""

from __future__ import annotations

import pytest

from tests.access import WHO, check
from tests.client import PortalClient
from tests.factories import Factory

COVERS = {"metrics.scrape"}


@pytest.mark.parametrize("who", WHO)
async def test_metrics_are_refused_to_every_user_from_outside_the_allow_list(
    client: PortalClient, make: Factory, who: str
) -> None:
    world = await make.world()
    await check(client, world, who, "GET", "/metrics", 403)
