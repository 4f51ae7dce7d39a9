"""One way to declare a feature's routes: a Litestar Router with its path prefix, its
guard and, for routes on one event, the event-access dependency, declared once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from litestar import Router
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Body
from litestar.types import Guard

from portal.web.access import provide_event_access
from portal.web.guards import signed_in

# A plain (url-encoded) form body, as every non-upload form sends it.
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]

EVENT_PATH = "/events/{event_id:int}"
# Every id is a positive integer that fits its column: Piccolo's `Serial` keys (and the
# foreign keys to them) are PostgreSQL `integer`, 32 bits; SQLite's hold 64. An id
# outside that is no row's, so the page does not exist, and the database is never asked
# (it would refuse to bind the number: a 500, issue 16).
ID_MAX = 2**31 - 1


async def ids_in_range(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """404 for an `{x:int}` path parameter that cannot be an id (first, before sign-in or
    access: no such page, whoever asks)."""
    for value in connection.path_params.values():
        if isinstance(value, int) and not 0 < value <= ID_MAX:
            raise NotFoundException()


def all_of(*guards: Guard) -> Guard:
    """One guard that runs `guards` in order. Litestar copies the route handler for each
    guard it calls, on every request: one guard, one copy (about 2% of a kept page's
    work each, measured with py-spy under bench/pages.py)."""

    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        for each in guards:
            await each(connection, handler)  # type: ignore[misc]

    guard.__name__ = "_and_".join(getattr(each, "__name__", "guard") for each in guards)
    guard.parts = guards  # type: ignore[attr-defined]  # what it runs, for who asks (auth.timeout)
    return guard


def event_router(path: str, route_handlers: Sequence[Any], **options: Any) -> Router:
    """Routes on one event (`/events/{event_id}` + `path`): signed in, with `access` loaded
    (another provider's event, or an event an inspector is not on, is 404)."""
    return Router(
        path=EVENT_PATH + path,
        route_handlers=list(route_handlers),
        guards=[all_of(ids_in_range, signed_in)],
        dependencies={"access": Provide(provide_event_access)},
        **options,
    )


def router(
    path: str, route_handlers: Sequence[Any], guards: Sequence[Guard] = (), **options: Any
) -> Router:
    """Routes that are not on one event (sign-in, the admin console, fixed pages)."""
    return Router(
        path=path,
        route_handlers=list(route_handlers),
        guards=[all_of(ids_in_range, *guards)],
        **options,
    )
