"""One way to declare a feature's routes: a Litestar Router with its path prefix, its
guard and, for routes on one event, the event-access dependency, declared once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from litestar import Router
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.types import Guard

from portal.web.access import provide_event_access
from portal.web.guards import signed_in

# A plain (url-encoded) form body, as every non-upload form sends it.
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]

EVENT_PATH = "/events/{event_id:int}"


def event_router(path: str, route_handlers: Sequence[Any], **options: Any) -> Router:
    """Routes on one event (`/events/{event_id}` + `path`): signed in, with `access` loaded
    (another provider's event, or an event an inspector is not on, is 404)."""
    return Router(
        path=EVENT_PATH + path,
        route_handlers=list(route_handlers),
        guards=[signed_in],
        dependencies={"access": Provide(provide_event_access)},
        **options,
    )


def router(
    path: str, route_handlers: Sequence[Any], guards: Sequence[Guard] = (), **options: Any
) -> Router:
    """Routes that are not on one event (sign-in, the admin console, fixed pages)."""
    return Router(path=path, route_handlers=list(route_handlers), guards=list(guards), **options)
