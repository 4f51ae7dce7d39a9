"""The health probes × every kind of user: open to everyone (a load balancer has no
account), the same answer with or without a session, full page and htmx alike."""

from __future__ import annotations

import pytest

from tests.access import WHO, check
from tests.client import PortalClient
from tests.factories import Factory

COVERS = {"health.alive", "health.ready"}


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
@pytest.mark.parametrize("who", WHO)
async def test_probes_are_open_to_everyone(
    client: PortalClient, make: Factory, who: str, path: str
) -> None:
    world = await make.world()
    await check(client, world, who, "GET", path, 200)
