"""The evidence confirmation section in each reader's own words: the provider is asked
("you"); the team and the admin read about the provider, never as if they were it."""

from __future__ import annotations

from tests.client import PortalClient
from tests.factories import Factory

PROVIDER_NONE = "The inspection team has not asked you to confirm your evidence yet."
TEAM_NONE = "The inspection team has not asked the provider to confirm any evidence yet."
PROVIDER_ASKED = "Please confirm that you have provided, or given access to, all relevant evidence."
TEAM_ASKED = (
    "The provider was asked to confirm that they have provided, or given access to, "
    "all relevant evidence."
)


async def test_nothing_asked_yet_in_each_readers_words(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    page = (await client.get(f"/events/{world.event.id}")).text
    assert PROVIDER_NONE in page and TEAM_NONE not in page
    for reader in (world.inspector, world.lead, world.admin):
        await client.sign_in_as(reader)
        page = (await client.get(f"/events/{world.event.id}")).text
        assert TEAM_NONE in page and PROVIDER_NONE not in page


async def test_a_request_in_each_readers_words(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.inspector)
    response = await client.post(
        f"/events/{world.event.id}/evidence-confirmations", {"message": "Safeguarding records."}
    )
    assert response.status_code == 303
    for reader in (world.inspector, world.lead, world.admin):
        await client.sign_in_as(reader)
        page = (await client.get(f"/events/{world.event.id}")).text
        assert TEAM_ASKED in page and PROVIDER_ASKED not in page
    await client.sign_in_as(world.provider_user)
    page = (await client.get(f"/events/{world.event.id}")).text
    assert PROVIDER_ASKED in page and TEAM_ASKED not in page
