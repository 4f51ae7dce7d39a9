"""The administrator's corrections: a person's name and email address, reactivating a
deactivated account, an event's type and dates, reopening a closed event. Listed in
the admin router (routes.py), behind its admin-only guard; every change is audited by
the service that makes it."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Response

from portal.admin import corrections, forms, pages, service
from portal.auth.api import AccountError, reactivate, update_details
from portal.db.tables import EVENT_TYPES
from portal.validation import Refused
from portal.web.banner import with_banner
from portal.web.guards import current_user
from portal.web.render import redirect, render
from portal.web.routing import Form

ALREADY_ACTIVE = "This account is already active."
ALREADY_OPEN = "This event is already open."
CLOSED = "This event is closed: reopen it to change its type or dates."
NO_CHANGES = "No changes were made"
# A change already made, or one that cannot be, is answered with the user's or the
# event's own page and the message (pages.user_page, pages.event_page): nothing written.


def _done(request: Request[Any, Any, Any], message: str, name: str, **params: Any) -> Response[Any]:
    url = request.app.route_reverse(name, **params)
    return redirect(request, with_banner(request, url, message))


async def _user_or_404(user_id: int) -> dict[str, Any]:
    row = await service.user(user_id)
    if row is None:
        raise NotFoundException()
    return row


async def _event_or_404(event_id: int) -> dict[str, Any]:
    row = await service.event(event_id)
    if row is None:
        raise NotFoundException()
    return row


# -- a person's name and email address ----------------------------------------------------


def _user_details_form(
    request: Request[Any, Any, Any], row: dict[str, Any], values: Any, errors: Any
) -> Response[Any]:
    context = {"person": row, "values": values, "errors": errors}
    return render(request, "admin/user_details.html", context)


@get("/users/{user_id:int}/details", name="admin.user_details")
async def user_details(request: Request[Any, Any, Any], user_id: int) -> Response[Any]:
    row = await _user_or_404(user_id)
    values = {"display_name": row["display_name"], "email": row["email"]}
    return _user_details_form(request, row, values, {})


@post("/users/{user_id:int}/details", name="admin.user_details_save")
async def user_details_save(
    request: Request[Any, Any, Any], user_id: int, data: Form
) -> Response[Any]:
    row = await _user_or_404(user_id)
    parsed = forms.user_details(data)
    errors = dict(parsed.errors)
    if parsed.ok:
        try:
            changed = await update_details(
                user_id, **parsed.values, actor_id=current_user(request).id
            )
        except AccountError as refused:
            errors = refused.as_errors("email")
        else:
            message = "Name and email address saved" if changed else NO_CHANGES
            return _done(request, message, "admin.user", user_id=user_id)
    return _user_details_form(request, row, parsed.values, errors)


# -- reactivating an account -----------------------------------------------------------------


@get("/users/{user_id:int}/reactivate", name="admin.user_reactivate_confirm")
async def user_reactivate_confirm(request: Request[Any, Any, Any], user_id: int) -> Response[Any]:
    row = await _user_or_404(user_id)
    if row["active"]:
        return await pages.user_page(request, row, ALREADY_ACTIVE)
    return render(request, "admin/reactivate_user.html", {"person": row})


@post("/users/{user_id:int}/reactivate", name="admin.user_reactivate")
async def user_reactivate(request: Request[Any, Any, Any], user_id: int) -> Response[Any]:
    row = await _user_or_404(user_id)
    if not await reactivate(user_id, current_user(request).id):
        return await pages.user_page(request, row, ALREADY_ACTIVE)
    return _done(request, "Account reactivated", "admin.user", user_id=user_id)


# -- an event's type and dates -----------------------------------------------------------


def _date_values(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}-{part}": str(getattr(day, part)) for part in ("day", "month", "year")}


def _event_details_form(
    request: Request[Any, Any, Any], row: dict[str, Any], values: Any, errors: Any
) -> Response[Any]:
    context = {"event": row, "values": values, "errors": errors, "event_types": EVENT_TYPES}
    return render(request, "admin/event_details.html", context)


@get("/events/{event_id:int}/details", name="admin.event_details")
async def event_details(request: Request[Any, Any, Any], event_id: int) -> Response[Any]:
    row = await _event_or_404(event_id)
    if row["status"] == "closed":
        return await pages.event_page(request, row, CLOSED)
    values = {
        "event_type": row["event_type"],
        **_date_values("start", row["start_date"]),
        **_date_values("end", row["end_date"]),
    }
    return _event_details_form(request, row, values, {})


@post("/events/{event_id:int}/details", name="admin.event_details_save")
async def event_details_save(
    request: Request[Any, Any, Any], event_id: int, data: Form
) -> Response[Any]:
    row = await _event_or_404(event_id)
    if row["status"] == "closed":
        return await pages.event_page(request, row, CLOSED)
    parsed = forms.event_details(data)
    errors = dict(parsed.errors)
    if parsed.ok:
        try:
            changed = await corrections.update_event(
                event_id,
                event_type=parsed.values["event_type"],
                start_date=parsed.values["start_date"],
                end_date=parsed.values["end_date"],
                actor_id=current_user(request).id,
            )
        except Refused as refused:
            errors = refused.as_errors("event_type")
        else:
            message = "Event type and dates saved" if changed else NO_CHANGES
            return _done(request, message, "admin.event", event_id=event_id)
    return _event_details_form(request, row, parsed.values, errors)


# -- reopening a closed event ------------------------------------------------------------


@get("/events/{event_id:int}/reopen", name="admin.event_reopen_confirm")
async def event_reopen_confirm(request: Request[Any, Any, Any], event_id: int) -> Response[Any]:
    row = await _event_or_404(event_id)
    if row["status"] != "closed":
        return await pages.event_page(request, row, ALREADY_OPEN)
    return render(request, "admin/reopen_event.html", {"event": row})


@post("/events/{event_id:int}/reopen", name="admin.event_reopen")
async def event_reopen(request: Request[Any, Any, Any], event_id: int) -> Response[Any]:
    row = await _event_or_404(event_id)
    if not await corrections.reopen_event(event_id, current_user(request).id):
        return await pages.event_page(request, row, ALREADY_OPEN)
    return _done(request, "Event reopened", "admin.event", event_id=event_id)


HANDLERS = [
    user_details,
    user_details_save,
    user_reactivate_confirm,
    user_reactivate,
    event_details,
    event_details_save,
    event_reopen_confirm,
    event_reopen,
]
