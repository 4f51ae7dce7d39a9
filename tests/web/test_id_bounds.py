"""Every route with an `{x:int}` path parameter answers 404 for an id no row can have
(above 2**31-1, PostgreSQL's `integer` that Piccolo's `Serial` keys are; above 2**63-1;
zero; negative), for every method, signed in or not, full page and htmx:
never a 500 from the database choking on the number (issue 16)."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler

from tests.client import PortalClient
from tests.factories import Factory

OUT_OF_RANGE = [2**31, 2**63, 10**30, 0, -1]
INT_PARAM = re.compile(r"\{(\w+):int\}")


def int_routes(app: Litestar) -> list[tuple[str, str]]:
    """(method, path with placeholders) for each route with an int path parameter."""
    found = []
    for route in app.routes:
        if not INT_PARAM.search(route.path):
            continue
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler):
                for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                    found.append((method, route.path))
    return found


def test_the_walk_finds_the_id_routes(app: Litestar) -> None:
    paths = {path for _, path in int_routes(app)}
    assert "/events/{event_id:int}" in paths
    assert any("{document_id:int}" in path for path in paths)
    assert any(path.startswith("/admin/users/{user_id:int}") for path in paths)
    assert len(int_routes(app)) >= 20
    assert {method for method, _ in int_routes(app)} <= {"GET", "POST"}


@pytest.mark.parametrize("who", ["admin", "provider", "anonymous"])
async def test_ids_out_of_range_are_not_found(
    client: PortalClient, make: Factory, who: str
) -> None:
    world = await make.world()
    user = world.user(who)
    if user is not None:
        await client.sign_in_as(user)
    event_id = world.event.id
    seen = 0
    for method, template in int_routes(client.app):
        for bad in OUT_OF_RANGE:
            # One parameter out of range at a time, the others a real event's id.
            for name in INT_PARAM.findall(template):
                url = INT_PARAM.sub(
                    lambda m, name=name, bad=bad: str(bad if m.group(1) == name else event_id),
                    template,
                )
                for htmx in (False, True):
                    if method == "GET":
                        response = await client.get(url, htmx=htmx)
                    else:  # with the CSRF token: the id is what is wrong, nothing else
                        response = await client.post(url, {}, htmx=htmx)
                    assert response.status_code == 404, (who, method, url, htmx)
                    seen += 1
    assert seen > 100


async def test_the_largest_id_is_an_ordinary_missing_page(
    client: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await client.sign_in_as(world.admin)
    for largest in (2**31 - 1, 2**31, 2**63 - 1, 2**63):
        for url in (f"/events/{largest}", f"/admin/users/{largest}"):
            response = await client.get(url)
            assert response.status_code == 404 and "Page not found" in response.text, url
