"""The accuracy check's routes × every kind of user, full page and htmx (tests/access.py)."""

from __future__ import annotations

import pytest

from portal.accuracy import service
from portal.accuracy.forms import Answers
from tests.access import AFTER_ACTION_BLOCK, WHO, check
from tests.accuracy.helpers import access_for, open_world, stored
from tests.client import PortalClient
from tests.factories import Factory

COVERS = {"accuracy.form", "accuracy.submit"}

VIEW = {
    "provider": 200,
    "other_provider": 404,
    "team_inspector": 200,
    "lead_inspector": 200,
    "other_inspector": 404,
    "admin": 200,
    "anonymous": "sign-in",
}
# Saved: the full page goes back to the form (303), htmx gets the form's block.
SAVE = {
    **VIEW,
    "provider": AFTER_ACTION_BLOCK,
    "team_inspector": 403,
    "lead_inspector": 403,
    "admin": 403,
}
# 'Done' with answers missing: the form again with its errors (200).
DONE_INVALID = {**SAVE, "provider": 200}
# A provider's change to a completed check: nothing written, the view-only page (200).
AFTER_DONE = {**SAVE, "provider": 200}
ALREADY_DONE = "This factual accuracy check has already been completed. Nothing was changed."


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
    # The provider's first (full page) Done would complete it and the htmx replay find it
    # done, so the provider's completion is checked in test_done_access_after_completion.
    if who == "provider":
        data = {"action": "done"}  # invalid: the form with errors, status 200 both times
    await check(client, world, who, "POST", url(world), DONE_INVALID[who], data)
    assert (await stored(world.event)).status != "completed"


@pytest.mark.parametrize("who", WHO)
async def test_done_access_after_completion(client: PortalClient, make: Factory, who: str) -> None:
    world = await open_world(make)
    colleague = await access_for(world.colleague, world.event)
    answers = Answers(wants_to_comment="no", confirmed=True)
    current = await service.state(colleague)
    assert await service.complete(current, answers) == service.SAVED
    data = {"action": "done", "wants_to_comment": "yes", "confirmed": "yes", "comments": "Late"}
    await check(client, world, who, "POST", url(world), AFTER_DONE[who], data)
    if who == "provider":  # signed in as them by check(): what they see, page and block
        for htmx in (False, True):
            for action in ("done", "save", "autosave"):
                response = await client.post(url(world), {**data, "action": action}, htmx=htmx)
                assert response.status_code == 200
                assert ALREADY_DONE in response.text
                assert "Completed on" in response.text and "<textarea" not in response.text
    after = await stored(world.event)
    assert (after.wants_to_comment, after.comments) == ("no", "")
    # Everyone who may see the event sees the same view-only page.
    await check(client, world, who, "GET", url(world), VIEW[who])
