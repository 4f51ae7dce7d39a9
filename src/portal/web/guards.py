"""Who may reach a route: a signed-in user (401 → sign-in) of a given role (403)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from portal.db.tables import User


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> User:
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException()
    return user


# Guards are coroutines: Litestar runs a plain function guard in a worker thread,
# two thread hops per request for a dictionary lookup.
async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    current_user(connection)


def role(*roles: str):
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if current_user(connection).role not in roles:
            raise PermissionDeniedException()

    guard.__name__ = f"role_{'_'.join(roles)}"
    return guard
