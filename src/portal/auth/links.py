"""The paths of auth's pages by route name, where there is no running app to ask (a
command, or another feature calling `portal.auth.api`): reversed by Litestar from auth's
own router, mounted alone, once. The app mounts that same router at its root, so the
paths are the same."""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar import Litestar

from portal.auth.routes import router


@cache
def _routes() -> Litestar:
    return Litestar(route_handlers=[router], openapi_config=None)


def path(name: str, **params: Any) -> str:
    """The path of the auth route `name` (e.g. "auth.sign_in")."""
    return _routes().route_reverse(name, **params)
