"""The accuracy check's routes × every kind of user, full page and htmx (tests/access.py)."""

from __future__ import annotations

import pytest

from portal.accuracy import service
from portal.accuracy.forms import Answers
from tests.access import WHO, check
from tests.accuracy.helpers import access_for, open_world, stored
from tests.client import PortalClient
from tests.factories import Factory

VIEW = {
    "provider": "ok",
    "other_provider": 404,
    "team_inspector": "ok",
    "lead_inspector": "ok",
    "other_inspector": 404,
    "admin": "ok",
    "anonymous": "sign-in",
}
SAVE = {**VIEW, "team_inspector": 403, "lead_inspector": 403, "admin": 403}
AFTER_DONE = {**SAVE, "provider": 409}


def url(world) -> str:
    return f"/events/{world.event.id}/accuracy-check"


@pytest.mark.parametrize("who", WHO)
async def test_view_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await open_world(make)
    await check(client, world, who, "GET", url(world), VIEW[who])


@pytest.mark.parametrize("who", WHO)
async def test_view_access_before_it_opens(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    await check(client, world, who, "GET", url(world), VIEW[who])


@pytest.mark.parametrize("who", WHO)
async def test_save_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await open_world(make)
    data = {"action": "save", "comments": f"Written by {who}"}
    await check(client, world, who, "POST", url(world), SAVE[who], data)
    saved = (await stored(world.event)).comments
    assert saved == ("Written by provider" if who == "provider" else "")


@pytest.mark.parametrize("who", WHO)
async def test_done_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await open_world(make)
    data = {"action": "done", "wants_to_comment": "no", "confirmed": "yes"}
    # The provider's first (full page) Done completes it; the htmx replay then gets 409,
    # so the provider's row is checked in test_done_access_after_completion instead.
    if who == "provider":
        data = {"action": "done"}  # invalid: the form with errors, status 200 both times
    await check(client, world, who, "POST", url(world), SAVE[who], data)
    assert (await stored(world.event)).status != "completed"


@pytest.mark.parametrize("who", WHO)
async def test_done_access_after_completion(client: PortalClient, make: Factory, who: str) -> None:
    world = await open_world(make)
    colleague = await access_for(world.colleague, world.event)
    assert (
        await service.complete(
            colleague, Answers(wants_to_comment="no", confirmed=True), base_url="http://x"
        )
        == service.SAVED
    )
    data = {"action": "done", "wants_to_comment": "yes", "confirmed": "yes", "comments": "Late"}
    await check(client, world, who, "POST", url(world), AFTER_DONE[who], data)
    assert (await stored(world.event)).comments == ""
    # Everyone who may see the event sees the same view-only page.
    await check(client, world, who, "GET", url(world), VIEW[who])
