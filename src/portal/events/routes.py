"""Home, the list of one's inspections, and the event's profile page."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Router, get
from litestar.di import Provide
from litestar.response import Redirect, Response

from portal.accuracy.api import form_link as accuracy_link
from portal.auth.api import home_for
from portal.conduct.api import section as conduct_section
from portal.db.tables import DOCUMENT_KINDS, EVENT_TYPES, TEAM_ROLES
from portal.documents.api import receipt as document_receipt
from portal.events import service
from portal.survey.api import form_link as survey_link
from portal.web.access import EventAccess, provide_event_access
from portal.web.banner import banner
from portal.web.guards import current_user, role, signed_in
from portal.web.render import render


@get("/", name="events.home")
async def home(request: Request[Any, Any, Any]) -> Redirect:
    user = request.scope.get("user")
    name = "auth.sign_in" if user is None else home_for(user)
    return Redirect(request.app.route_reverse(name))


@get("/events", name="events.list", guards=[role("provider", "inspector")])
async def event_list(request: Request[Any, Any, Any]) -> Response[Any]:
    user = current_user(request)
    events = await service.events_for(user)
    if user.role == "provider" and len(events) == 1:
        return Redirect(f"/events/{events[0]['id']}")
    today = date.today()
    groups: dict[str, list[dict[str, Any]]] = {"current": [], "upcoming": [], "past": []}
    for event in events:
        groups[service.timing(event, today)].append(event)
    groups["upcoming"].reverse()  # soonest first
    return render(request, "events/list.html", {"groups": groups, "count": len(events)})


@get(
    "/events/{event_id:int}",
    name="events.profile",
    guards=[signed_in],
    dependencies={"access": Provide(provide_event_access)},
)
async def profile(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
    data = await service.profile(access)
    forms = [await accuracy_link(access), await survey_link(access)]
    return render(
        request,
        "events/profile.html",
        {
            "profile": data,
            "access": access,
            "event": access.event,
            "forms": forms,
            "team_roles": TEAM_ROLES,
            "event_types": EVENT_TYPES,
            "document_kinds": DOCUMENT_KINDS,
            "banner": banner(request),
            "receipt": await document_receipt(access, request.query_params.get("receipt")),
            "conduct": await conduct_section(access),
        },
    )


route_handlers = [home, event_list, profile]

# Until this feature declares its own Router (issue 12): its handlers, as they are.
router = Router(path="/", route_handlers=route_handlers)
