"""Home, the list of one's inspections, and the event's profile page, which composes
the features through their public faces."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Router, get
from litestar.response import Redirect, Response

from portal import clock
from portal.accuracy.api import form_link as accuracy_link
from portal.auth.api import home_for
from portal.conduct.api import section as conduct_section
from portal.db.tables import DOCUMENT_KINDS, EVENT_TYPES, TEAM_ROLES
from portal.documents.api import receipt as document_receipt
from portal.events import service
from portal.events.waiting import waiting as waiting_on
from portal.survey.api import form_link as survey_link
from portal.web.access import EventAccess
from portal.web.banner import banner
from portal.web.guards import current_user, role
from portal.web.page_cache import cached_page
from portal.web.render import render
from portal.web.routing import event_router


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
        return Redirect(request.app.route_reverse("events.profile", event_id=events[0]["id"]))
    today = clock.today()
    groups: dict[str, list[dict[str, Any]]] = {"current": [], "upcoming": [], "past": []}
    for event in events:
        groups[service.timing(event, today)].append(event)
    groups["upcoming"].reverse()  # soonest first
    waiting = await waiting_on(events, provider_view=user.role == "provider")
    context = {"groups": groups, "count": len(events), "waiting": waiting}
    return render(request, "events/list.html", context)


@get("/", name="events.profile")
async def profile(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
    async def context() -> dict[str, Any]:
        url = request.app.route_reverse
        event_id = access.event.id
        # The page's parts are independent reads: asked for at once, not one after another.
        content, accuracy, survey, receipt, conduct = await asyncio.gather(
            service.profile(access),
            accuracy_link(access, url("accuracy.form", event_id=event_id)),
            survey_link(access, url("survey.form", event_id=event_id)),
            document_receipt(access, request.query_params.get("receipt")),
            conduct_section(access),
        )
        return {
            "profile": content,
            "access": access,
            "event": access.event,
            "forms": [accuracy, survey],
            "team_roles": TEAM_ROLES,
            "event_types": EVENT_TYPES,
            "document_kinds": DOCUMENT_KINDS,
            "banner": banner(request),
            "receipt": receipt,
            "conduct": conduct,
        }

    return await cached_page(request, access, "events/profile.html", context)


router = Router(path="/", route_handlers=[home, event_list, event_router("", [profile])])
