"""The access matrix helper: one route, every kind of user, full page and htmx alike.

Outcomes: "ok" (the page or the action's redirect), 403, 404, "sign-in" (anonymous:
a redirect to the sign-in page, or HX-Redirect for htmx).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

import httpx
from litestar import Litestar

from tests.client import PortalClient
from tests.factories import World

WHO = [
    "provider",
    "other_provider",
    "team_inspector",
    "lead_inspector",
    "other_inspector",
    "admin",
    "anonymous",
]


# Route name -> the kinds of user its matrix has checked, in this process. A test_access
# module names the routes it covers in COVERS; the completeness test holds every route
# of the app to being named by one, and the module check (conftest) holds each named
# route to having been checked for every kind of user.
CHECKED: defaultdict[str, set[str]] = defaultdict(set)


def route_name(app: Litestar, method: str, url: str) -> str:
    """The name of the route that answers `method url`."""
    _, handler, *_ = app.asgi_router.handle_routing(urlsplit(url).path, method)  # type: ignore[arg-type]
    return str(handler.name)


def outcome(response: httpx.Response) -> str | int:
    if response.status_code in (401,):
        return "sign-in"
    location = response.headers.get("location", "") or response.headers.get("hx-redirect", "")
    if location.startswith("/sign-in"):
        return "sign-in"
    if response.status_code in (403, 404, 405, 409):
        return response.status_code
    if response.status_code < 400:
        return "ok"
    return response.status_code


async def check(
    client: PortalClient,
    world: World,
    who: str,
    method: str,
    url: str,
    expected: str | int,
    data: dict[str, Any] | None = None,
) -> None:
    CHECKED[route_name(client.app, method, url)].add(who)
    user = world.user(who)
    client.sign_out_locally()
    if user is not None:
        await client.sign_in_as(user)
    for htmx in (False, True):
        if method == "GET":
            response = await client.get(url, htmx=htmx)
        else:
            response = await client.post(url, data or {}, htmx=htmx)
        got = outcome(response)
        assert got == expected, (
            f"{who} {method} {url} htmx={htmx}: expected {expected}, got {got} ({response.status_code})"
        )
