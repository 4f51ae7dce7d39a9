"""The access matrix helper: one route, every kind of user, full page and htmx alike.

Outcomes: "ok" (the page or the action's redirect), 403, 404, "sign-in" (anonymous:
a redirect to the sign-in page, or HX-Redirect for htmx).
"""

from __future__ import annotations

from typing import Any

import httpx

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
