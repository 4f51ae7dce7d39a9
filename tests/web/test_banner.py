"""Success banners after a redirect: shown only when the service signed the message."""

from __future__ import annotations

from urllib.parse import quote

from tests.client import PortalClient
from tests.factories import Factory


async def test_a_signed_banner_is_shown_and_a_forged_one_is_not(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    forged = quote("Your account is locked: call 0900 000 000 to unlock it")
    page = (await client.get(f"/events/{world.event.id}?done={forged}&sig=0123")).text
    assert "0900 000 000" not in page

    # The survey's Save redirects with a banner the service signed.
    response = await client.post(f"/events/{world.event.id}/survey", {})
    location = response.headers["location"]
    assert "sig=" in location
    page = (await client.get(location)).text
    assert "govuk-notification-banner--success" in page
    assert "Your survey answers have been saved" in page
