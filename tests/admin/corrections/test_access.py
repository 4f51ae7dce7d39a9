"""The corrections' routes × every kind of user, full page and htmx: only the
administrator gets in; anyone else signed in is refused (403), no session means sign in."""

from __future__ import annotations

import pytest

from portal.db.tables import Event, User
from tests.access import CHECKED, WHO, check, route_name
from tests.client import PortalClient
from tests.factories import Factory, World

ADMIN_ONLY = {who: 403 for who in WHO} | {"admin": 200, "anonymous": "sign-in"}

COVERS = {
    "admin.user_details",
    "admin.user_details_save",
    "admin.user_reactivate_confirm",
    "admin.user_reactivate",
    "admin.event_details",
    "admin.event_details_save",
    "admin.event_reopen_confirm",
    "admin.event_reopen",
}

# (method, url, form): forms are invalid, so the plain and the htmx request alike get
# the form again; the confirmation pages are asked for while the change is still to do.
ROUTES = [
    ("GET", "/admin/users/{user}/details", None),
    ("POST", "/admin/users/{user}/details", {"display_name": "", "email": ""}),
    ("GET", "/admin/users/{inactive}/reactivate", None),
    ("GET", "/admin/events/{event}/details", None),
    ("POST", "/admin/events/{event}/details", {"event_type": ""}),
    ("GET", "/admin/events/{closed}/reopen", None),
]


async def _targets(world: World, make: Factory) -> dict[str, int]:
    inactive = await make.user("provider", world.provider, active=False)
    closed = await make.event(world.provider, status="closed")
    return {
        "user": world.colleague.id,
        "event": world.event.id,
        "inactive": inactive.id,
        "closed": closed.id,
    }


@pytest.mark.parametrize("who", WHO)
async def test_correction_route_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    ids = await _targets(world, make)
    for method, template, data in ROUTES:
        await check(client, world, who, method, template.format(**ids), ADMIN_ONLY[who], data)


# Done once: the administrator's first request acts (303); the htmx repeat writes nothing
# and answers the page's block saying it is done already.
ONE_OFF = [
    ("/admin/users/{inactive}/reactivate", "This account is already active."),
    ("/admin/events/{closed}/reopen", "This event is already open."),
]


@pytest.mark.parametrize(("template", "second"), ONE_OFF)
@pytest.mark.parametrize("who", WHO)
async def test_one_off_correction_access(
    client: PortalClient, make: Factory, who: str, template: str, second: str
) -> None:
    world = await make.world()
    ids = await _targets(world, make)
    url = template.format(**ids)
    CHECKED[route_name(client.app, "POST", url)].add(who)
    user = world.user(who)
    client.sign_out_locally()
    if user is not None:
        await client.sign_in_as(user)
    first = await client.post(url, {})
    repeat = await client.post(url, {}, htmx=True)
    inactive = User.active == False  # noqa: E712 (a Piccolo condition)
    if "reactivate" in url:
        undone = await User.exists().where((User.id == ids["inactive"]) & inactive)
    else:
        undone = await Event.exists().where(
            (Event.id == ids["closed"]) & (Event.status == "closed")
        )
    if who == "admin":
        assert first.status_code == 303
        assert repeat.status_code == 200
        assert "<html" not in repeat.text and second in repeat.text
        assert not undone
    elif who == "anonymous":
        assert first.headers["location"].startswith("/sign-in")
        assert repeat.headers["hx-redirect"].startswith("/sign-in")
        assert undone
    else:
        assert first.status_code == repeat.status_code == 403
        assert undone
