"""Every route of the app is in an access matrix: a new route without one fails here.

Each `test_access.py` names the routes it covers in `COVERS`; tests/conftest.py then
checks, when that module has run, that each of them was checked for every kind of user
(tests/access.py WHO), full page and htmx alike."""

from __future__ import annotations

import importlib
from pathlib import Path

from litestar.handlers import HTTPRouteHandler

from portal.app import create_app
from portal.settings import Settings

TESTS = Path(__file__).parent


def app_route_names() -> set[str]:
    app = create_app(Settings(secret_key="route-listing"))
    names = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            # Litestar answers OPTIONS itself on every path; static files are public.
            if handler.http_methods == {"OPTIONS"} or str(handler.name).startswith("static"):
                continue
            if isinstance(handler, HTTPRouteHandler):
                assert handler.name, f"route {route.path} has no name: URLs are built from names"
                names.add(handler.name)
    return names


def covered_route_names() -> set[str]:
    names: set[str] = set()
    for path in sorted(TESTS.rglob("test_access.py")):
        module = importlib.import_module(
            ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)
        )
        names |= set(module.COVERS)
    return names


def test_every_route_is_in_an_access_matrix() -> None:
    missing = app_route_names() - covered_route_names()
    assert not missing, f"routes with no access matrix: {sorted(missing)}"


def test_every_matrix_names_real_routes() -> None:
    unknown = covered_route_names() - app_route_names()
    assert not unknown, f"access matrices name routes the app does not have: {sorted(unknown)}"
