"""The event's and the user's console pages, shared by the console's handlers
(routes.py) and the corrections' (correction_routes.py): with a message, the view-only
answer to a change already made, or one that cannot be made."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Response

from portal.admin import service
from portal.clock import aware, now
from portal.db.tables import EVENT_TYPES, TEAM_ROLES
from portal.web.banner import banner
from portal.web.render import already_done, render


async def event_page(
    request: Request[Any, Any, Any], row: dict[str, Any], message: str | None = None
) -> Response[Any]:
    """The event's page; with `message`, as the answer to a change of a closed event."""
    context = {
        "event": row,
        "team": await service.team(row["id"]),
        "deadline": await service.accuracy_deadline(row["id"]),
        "event_types": EVENT_TYPES,
        "team_roles": TEAM_ROLES,
        "banner": banner(request),
    }
    if message is not None:
        return already_done(request, "admin/event.html", context, block="event", message=message)
    return render(request, "admin/event.html", context)


async def user_page(
    request: Request[Any, Any, Any], row: dict[str, Any], message: str | None = None
) -> Response[Any]:
    """The user's page; with `message`, as the answer to a change already made."""
    locked = aware(row["locked_until"])
    context = {
        "person": row,
        "locked": bool(locked and locked > now()),
        "events": await service.user_events(row["id"]),
        "team_roles": TEAM_ROLES,
        "banner": banner(request),
    }
    if message is not None:
        return already_done(request, "admin/user.html", context, block="person", message=message)
    return render(request, "admin/user.html", context)
