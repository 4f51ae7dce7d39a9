"""Every console route × every kind of user, full page and htmx: only the administrator
gets in; anyone else signed in is refused (403), and no session means sign in."""

from __future__ import annotations

import pytest

from portal.db.tables import TeamMember
from tests.access import CHECKED, WHO, check, route_name
from tests.client import PortalClient
from tests.factories import Factory, World

ADMIN_ONLY = {who: 403 for who in WHO} | {"admin": 200, "anonymous": "sign-in"}
# Done at once and repeatable (resend, unlock): the administrator is sent on (303).
ADMIN_ACTS = {**ADMIN_ONLY, "admin": 303}
ACTIONS = {"/admin/users/{user}/resend-invitation", "/admin/users/{user}/unlock"}

COVERS = {
    "admin.home",
    "admin.providers",
    "admin.provider_new",
    "admin.provider_create",
    "admin.provider",
    "admin.provider_update",
    "admin.events",
    "admin.event_new",
    "admin.event_create",
    "admin.event",
    "admin.event_close_confirm",
    "admin.event_close",
    "admin.deadline",
    "admin.deadline_extend",
    "admin.member_new",
    "admin.member_add",
    "admin.member",
    "admin.member_update",
    "admin.member_remove_confirm",
    "admin.member_remove",
    "admin.users",
    "admin.user_new",
    "admin.user_create",
    "admin.user",
    "admin.user_resend",
    "admin.user_unlock",
    "admin.user_deactivate_confirm",
    "admin.user_deactivate",
    "admin.audit",
}

# (method, url template, form): forms are invalid or repeatable, so both the plain
# and the htmx request of the matrix get the same answer.
ROUTES = [
    ("GET", "/admin", None),
    ("GET", "/admin/providers?q=Oak", None),
    ("GET", "/admin/providers/new", None),
    ("POST", "/admin/providers", {"name": ""}),
    ("GET", "/admin/providers/{provider}", None),
    ("POST", "/admin/providers/{provider}", {"name": ""}),
    ("GET", "/admin/events?q=INS", None),
    ("GET", "/admin/events/new", None),
    ("POST", "/admin/events", {"event_ref": ""}),
    ("GET", "/admin/events/{event}", None),
    ("GET", "/admin/events/{event}/close", None),
    ("GET", "/admin/events/{event}/deadline", None),
    ("POST", "/admin/events/{event}/deadline", {"due-day": ""}),
    ("GET", "/admin/events/{event}/team/new", None),
    ("POST", "/admin/events/{event}/team", {"username": ""}),
    ("GET", "/admin/events/{event}/team/{member}", None),
    ("POST", "/admin/events/{event}/team/{member}", {"team_role": ""}),
    ("GET", "/admin/events/{event}/team/{member}/remove", None),
    ("GET", "/admin/users?q=a", None),
    ("GET", "/admin/users/new", None),
    ("POST", "/admin/users", {"username": ""}),
    ("GET", "/admin/users/{user}", None),
    ("POST", "/admin/users/{user}/resend-invitation", {}),
    ("POST", "/admin/users/{user}/unlock", {}),
    ("GET", "/admin/users/{user}/deactivate", None),
    ("GET", "/admin/audit?event_ref=X", None),
]


async def _member_id(world: World) -> int:
    row = (
        await TeamMember.select(TeamMember.id).where(TeamMember.user == world.inspector.id).first()
    )
    return row["id"]


def _url(template: str, world: World, member: int) -> str:
    return template.format(
        provider=world.provider.id, event=world.event.id, member=member, user=world.colleague.id
    )


@pytest.mark.parametrize("who", WHO)
async def test_console_route_access(client: PortalClient, make: Factory, who: str) -> None:
    world = await make.world()
    member = await _member_id(world)
    for method, template, data in ROUTES:
        expected = (ADMIN_ACTS if template in ACTIONS else ADMIN_ONLY)[who]
        await check(client, world, who, method, _url(template, world, member), expected, data)


# An action done once, and what its htmx repeat answers: the view-only page's block with
# its message (already done: 200), or 404 when the thing is gone.
ONE_OFF = [
    ("/admin/events/{event}/close", "This event is already closed."),
    ("/admin/events/{event}/team/{member}/remove", 404),
    ("/admin/users/{user}/deactivate", "This account is already deactivated."),
]


@pytest.mark.parametrize(("template", "second"), ONE_OFF)
@pytest.mark.parametrize("who", WHO)
async def test_one_off_action_access(
    client: PortalClient, make: Factory, who: str, template: str, second: int | str
) -> None:
    """An action done once: the administrator's first request acts, the htmx repeat
    writes nothing and shows it as done (or is 404, gone); everyone else is refused."""
    world = await make.world()
    url = _url(template, world, await _member_id(world))
    CHECKED[route_name(client.app, "POST", url)].add(who)
    user = world.user(who)
    client.sign_out_locally()
    if user is not None:
        await client.sign_in_as(user)
    first = await client.post(url, {})
    repeat = await client.post(url, {}, htmx=True)
    if who == "admin":
        assert first.status_code == 303
        if isinstance(second, int):
            assert repeat.status_code == second
        else:
            assert repeat.status_code == 200
            assert "<html" not in repeat.text and second in repeat.text
    elif who == "anonymous":
        assert first.headers["location"].startswith("/sign-in")
        assert repeat.headers["hx-redirect"].startswith("/sign-in")
    else:
        assert first.status_code == repeat.status_code == 403
