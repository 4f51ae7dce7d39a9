"""The foundation's routes × every kind of user, full page and htmx (tests/access.py).
Each feature keeps the matrix of its own routes beside its other tests."""

from __future__ import annotations

import pytest

from tests.access import WHO, Expect, assert_answer, check
from tests.client import PortalClient
from tests.factories import Factory

COVERS = {
    "events.home",
    "events.list",
    "events.profile",
    "pages.accessibility",
    "pages.cookies",
    "pages.privacy",
    "pages.help",
}

PROFILE = {
    "provider": 200,
    "other_provider": 404,
    "team_inspector": 200,
    "lead_inspector": 200,
    "other_inspector": 404,
    "admin": 200,
    "anonymous": "sign-in",
}
# A provider with one event goes straight to it (302); inspectors see their list.
EVENT_LIST = {
    "provider": 302,
    "other_provider": 302,
    "team_inspector": 200,
    "lead_inspector": 200,
    "other_inspector": 200,
    "admin": 403,
    "anonymous": "sign-in",
}


@pytest.mark.parametrize("who", WHO)
async def test_profile_page_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    await check(client, world, who, "GET", f"/events/{world.event.id}", PROFILE[who])


@pytest.mark.parametrize("who", WHO)
async def test_download_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    doc = await make.document(world.event, world.lead, side="ofsted", kind="letter")
    await check(
        client,
        world,
        who,
        "GET",
        f"/events/{world.event.id}/documents/{doc.id}/download",
        PROFILE[who],
    )


@pytest.mark.parametrize("who", WHO)
async def test_home_sends_each_user_to_their_start(
    client: PortalClient, make: Factory, who: str
) -> None:
    world = await make.world()
    # Home is a pointer (302), to sign-in itself for anonymous users (no ?next=/: it is
    # where sign-in leads anyway).
    start = {"admin": "/admin", "anonymous": "/sign-in"}.get(who, "/events")
    await check(client, world, who, "GET", "/", Expect(302, 302, to=start))


@pytest.mark.parametrize("who", WHO)
async def test_event_list_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    await check(client, world, who, "GET", "/events", EVENT_LIST[who])


async def test_unknown_event_is_404_for_everyone(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    await client.sign_in_as(world.admin)
    response = await client.get("/events/999999")
    assert response.status_code == 404
    assert "Page not found" in response.text


PUBLIC_PAGES = [
    "/sign-in",
    "/forgotten-password",
    "/signed-out",
    "/accessibility",
    "/cookies",
    "/privacy",
    "/help",
    "/code-of-conduct",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.parametrize("who", WHO)
async def test_public_pages_are_open_to_everyone(
    client: PortalClient, make: Factory, who: str, path: str
) -> None:
    world = await make.world()
    # Signed in, the sign-in page leads home instead (302).
    signed_in_sign_in = path == "/sign-in" and who != "anonymous"
    await check(client, world, who, "GET", path, 302 if signed_in_sign_in else 200)


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("who", WHO)
async def test_sign_out_is_a_post(
    client: PortalClient, make: Factory, who: str, htmx: bool
) -> None:
    world = await make.world()
    user = world.user(who)
    if user is not None:
        await client.sign_in_as(user)
    assert (await client.get("/sign-out")).status_code == 405  # a link cannot sign anyone out
    response = await client.post("/sign-out", {}, htmx=htmx)
    assert_answer(response, Expect(303, 200, to="/signed-out"), who, "POST", "/sign-out", htmx)
