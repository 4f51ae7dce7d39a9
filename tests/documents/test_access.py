"""Every documents route × every kind of user, full page and htmx (tests/access.py):
provider documents are changed by the event's provider users only, Ofsted documents by
the event's team inspectors only, nothing on a closed event; other providers' events
and events an inspector is not on are 404."""

from __future__ import annotations

import pytest

from tests.access import (
    AFTER_ACTION_BLOCK,
    CHECKED,
    WHO,
    Expected,
    assert_answer,
    check,
    route_name,
)
from tests.client import PortalClient
from tests.documents.conftest import upload
from tests.documents.samples import PDF
from tests.factories import Factory, World

# Who may act on a side's documents, and what each route then answers (ALLOWED).
MAY = "may"
ALLOWED: dict[str, Expected] = {
    "list": 200,
    "upload": AFTER_ACTION_BLOCK,  # the page again (303); htmx: the updated list in place
    "confirm delete": 200,
    "delete": AFTER_ACTION_BLOCK,
    "save": 303,  # to the event's profile (HX-Redirect for htmx)
    "cancel": 303,
}
PROVIDER_SIDE = {
    "provider": MAY,
    "other_provider": 404,
    "team_inspector": 403,
    "lead_inspector": 403,
    "other_inspector": 404,
    "admin": 403,
    "anonymous": "sign-in",
}
OFSTED_SIDE = {**PROVIDER_SIDE, "provider": 403, "team_inspector": MAY, "lead_inspector": MAY}
CLOSED = {**PROVIDER_SIDE, "provider": 403}  # seen, but nobody may change anything
CLOSED_OFSTED = {**OFSTED_SIDE, "team_inspector": 403, "lead_inspector": 403}

SIDES = {"provider": ("documents", PROVIDER_SIDE), "ofsted": ("ofsted-documents", OFSTED_SIDE)}
ROUTES = ["list", "upload", "confirm delete", "delete", "save", "cancel"]
COVERS = {
    "documents.download",
    *(
        f"documents.{side}{action}"
        for side in SIDES
        for action in ["", ".upload", ".confirm_delete", ".delete", ".save", ".cancel"]
    ),
}


async def check_upload(
    client: PortalClient, world: World, who: str, url: str, expected: Expected
) -> None:
    """As tests/access.check, with a real multipart upload."""
    CHECKED[route_name(client.app, "POST", url)].add(who)
    user = world.user(who)
    client.sign_out_locally()
    if user is not None:
        await client.sign_in_as(user)
    for htmx in (False, True):
        response = await upload(
            client, url, [("access.pdf", PDF)], htmx=htmx, data={"kind": "letter"}
        )
        assert_answer(response, expected, who, "POST", url, htmx)


async def check_route(
    client: PortalClient, make: Factory, side: str, route: str, closed: bool = False
) -> None:
    world = await make.world()
    path, matrix = SIDES[side]
    if closed:
        matrix = CLOSED if side == "provider" else CLOSED_OFSTED
        world.event.status = "closed"
        await world.event.save()
    author = world.colleague if side == "provider" else world.lead
    doc = await make.document(world.event, author, side=side, kind="letter")
    base = f"/events/{world.event.id}/{path}"
    for who in WHO:
        expected = ALLOWED[route] if matrix[who] == MAY else matrix[who]
        if route == "list":
            await check(client, world, who, "GET", base, expected)
        elif route == "upload":
            await check_upload(client, world, who, base, expected)
        elif route == "confirm delete":
            await check(client, world, who, "GET", f"{base}/{doc.id}/delete", expected)
        elif route == "delete":
            await check(client, world, who, "POST", f"{base}/{doc.id}/delete", expected)
        else:
            await check(client, world, who, "POST", f"{base}/{route}", expected)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("side", ["provider", "ofsted"])
async def test_documents_route_access(
    client: PortalClient, make: Factory, side: str, route: str
) -> None:
    await check_route(client, make, side, route)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("side", ["provider", "ofsted"])
async def test_nobody_changes_documents_on_a_closed_event(
    client: PortalClient, make: Factory, side: str, route: str
) -> None:
    await check_route(client, make, side, route, closed=True)


async def test_downloads_of_staged_documents(client: PortalClient, make: Factory) -> None:
    """A staged upload is the uploader's alone until Save: 404 for everyone else."""
    world = await make.world()
    staged = await make.document(world.event, world.provider_user, state="staged")
    url = f"/events/{world.event.id}/documents/{staged.id}/download"
    expected = {who: 404 for who in WHO} | {"provider": 200, "anonymous": "sign-in"}
    for who in WHO:
        await check(client, world, who, "GET", url, expected[who])
