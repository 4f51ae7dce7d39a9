"""'Activity and receipts' × every kind of user, full page and htmx alike (tests/access.py)."""

from __future__ import annotations

import pytest

from portal.receipts.api import record
from tests.access import WHO, check
from tests.client import PortalClient
from tests.factories import Factory

# The event's provider users, its Ofsted team and the administrators; another provider,
# or an inspector not on the team, does not learn that the event exists.
READ = {
    "provider": 200,
    "other_provider": 404,
    "team_inspector": 200,
    "lead_inspector": 200,
    "other_inspector": 404,
    "admin": 200,
    "anonymous": "sign-in",
}

COVERS = {"receipts.activity", "receipts.receipt"}


@pytest.mark.parametrize("who", WHO)
async def test_activity_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    await record(world.event.id, world.provider_user.id, "survey", "Survey saved")
    await check(client, world, who, "GET", f"/events/{world.event.id}/activity", READ[who])


@pytest.mark.parametrize("who", WHO)
async def test_receipt_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    reference = await record(world.event.id, world.provider_user.id, "survey", "Survey saved")
    url = f"/events/{world.event.id}/activity/{reference}"
    await check(client, world, who, "GET", url, READ[who])
