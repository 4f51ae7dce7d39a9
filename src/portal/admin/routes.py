"""The support administrator's console under /admin: providers, events, the Ofsted
team, users and the audit log. Plain GOV.UK pages; every change is audited."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Response

from portal.admin import audit_details, correction_routes, forms, service, waiting_routes
from portal.admin.pages import event_page as _event_page
from portal.admin.pages import user_page as _user_page
from portal.auth.api import (
    AccountError,
    create_user,
    deactivate,
    resend_invitation,
    suggest_username,
    unlock,
)
from portal.db.tables import EVENT_TYPES, TEAM_ROLES, Provider, TeamMember
from portal.validation import Refused
from portal.web import routing
from portal.web.banner import banner, with_banner
from portal.web.guards import current_user, role
from portal.web.paging import Page, Position, links
from portal.web.render import redirect, render
from portal.web.routing import Form

CLOSED = "This event is closed: nothing on it can be changed."


def _actor(request: Request[Any, Any, Any]) -> int:
    return current_user(request).id


def _url(request: Request[Any, Any, Any], name: str, **params: Any) -> str:
    return request.app.route_reverse(name, **params)


def _done(request: Request[Any, Any, Any], message: str, name: str, **params: Any) -> Response[Any]:
    """After a change: to the page `name`, with a success banner."""
    return redirect(request, with_banner(request, _url(request, name, **params), message))


def _search_results(
    request: Request[Any, Any, Any], template: str, name: str, q: str, result: Page, **extra: Any
) -> Response[Any]:
    """A searchable list page (providers, events, users); its results block for htmx."""
    context = {
        "q": q,
        "page": result,
        "pagination": links(_url(request, name), {"q": q}, result),
        "banner": banner(request),
        **extra,
    }
    return render(request, template, context, block="results")


# -- home -----------------------------------------------------------------------------


@get("/", name="admin.home")
async def home(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "admin/home.html")


# -- providers --------------------------------------------------------------------------


@get("/providers", name="admin.providers")
async def providers(request: Request[Any, Any, Any], q: str = "") -> Response[Any]:
    result = await service.providers(q, Position.of(request.query_params))
    return _search_results(request, "admin/providers.html", "admin.providers", q, result)


def _provider_form(
    request: Request[Any, Any, Any], row: Provider | None, values: Any, errors: Any, **extra: Any
) -> Response[Any]:
    context = {"values": values, "errors": errors, "row": row, **extra}
    return render(request, "admin/provider_form.html", context)


@get("/providers/new", name="admin.provider_new")
async def provider_new(request: Request[Any, Any, Any]) -> Response[Any]:
    return _provider_form(request, None, {}, {})


@post("/providers", name="admin.provider_create")
async def provider_create(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    parsed = forms.provider(data)
    errors = dict(parsed.errors)
    if parsed.ok:
        try:
            row = await service.create_provider(**parsed.values, actor_id=_actor(request))
        except Refused as refused:
            errors = refused.as_errors("name")
        else:
            return _done(request, "Provider created", "admin.provider", provider_id=row.id)
    return _provider_form(request, None, parsed.values, errors)


async def _provider_or_404(provider_id: int) -> Provider:
    row = await service.provider(provider_id)
    if row is None:
        raise NotFoundException()
    return row


@get("/providers/{provider_id:int}", name="admin.provider")
async def provider_page(request: Request[Any, Any, Any], provider_id: int) -> Response[Any]:
    row = await _provider_or_404(provider_id)
    values = {"name": row.name, "urn": row.urn, "address": row.address}
    events = await service.events("", 1, provider_id=row.id)
    return _provider_form(request, row, values, {}, events=events, banner=banner(request))


@post("/providers/{provider_id:int}", name="admin.provider_update")
async def provider_update(
    request: Request[Any, Any, Any], provider_id: int, data: Form
) -> Response[Any]:
    row = await _provider_or_404(provider_id)
    parsed = forms.provider(data)
    errors = dict(parsed.errors)
    if parsed.ok:
        try:
            await service.update_provider(row, **parsed.values, actor_id=_actor(request))
        except Refused as refused:
            errors = refused.as_errors("name")
        else:
            return _done(request, "Provider saved", "admin.provider", provider_id=row.id)
    events = await service.events("", 1, provider_id=row.id)
    return _provider_form(request, row, parsed.values, errors, events=events)


# -- events -----------------------------------------------------------------------------


@get("/events", name="admin.events")
async def events(request: Request[Any, Any, Any], q: str = "") -> Response[Any]:
    result = await service.events(q, Position.of(request.query_params))
    return _search_results(
        request, "admin/events.html", "admin.events", q, result, event_types=EVENT_TYPES
    )


def _event_form(request: Request[Any, Any, Any], values: Any, errors: Any) -> Response[Any]:
    context = {"values": values, "errors": errors, "event_types": EVENT_TYPES}
    return render(request, "admin/event_form.html", context)


@get("/events/new", name="admin.event_new")
async def event_new(request: Request[Any, Any, Any], provider: str = "") -> Response[Any]:
    return _event_form(request, {"provider_urn": provider}, {})


@post("/events", name="admin.event_create")
async def event_create(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    parsed = forms.event(data)
    values, errors = parsed.values, dict(parsed.errors)
    provider = None
    if values["provider_urn"] and "provider_urn" not in errors:
        provider = await service.provider_by_urn(values["provider_urn"])
        if provider is None:
            errors["provider_urn"] = "There is no provider with this URN"
    if not errors and provider is not None:
        try:
            row = await service.create_event(
                provider_id=provider.id,
                event_ref=values["event_ref"],
                event_type=values["event_type"],
                start_date=values["start_date"],
                end_date=values["end_date"],
                actor_id=_actor(request),
            )
        except Refused as refused:
            errors = refused.as_errors("event_ref")
        else:
            return _done(request, "Event created", "admin.event", event_id=row.id)
    return _event_form(request, values, errors)


async def _event_or_404(event_id: int) -> dict[str, Any]:
    row = await service.event(event_id)
    if row is None:
        raise NotFoundException()
    return row


def _closed(row: dict[str, Any]) -> bool:
    return row["status"] == "closed"


@get("/events/{event_id:int}", name="admin.event")
async def event_page(request: Request[Any, Any, Any], event_id: int) -> Response[Any]:
    return await _event_page(request, await _event_or_404(event_id))


@get("/events/{event_id:int}/close", name="admin.event_close_confirm")
async def event_close_confirm(request: Request[Any, Any, Any], event_id: int) -> Response[Any]:
    row = await _event_or_404(event_id)
    if _closed(row):
        return await _event_page(request, row, "This event is already closed.")
    return render(request, "admin/close_event.html", {"event": row})


@post("/events/{event_id:int}/close", name="admin.event_close")
async def event_close(request: Request[Any, Any, Any], event_id: int) -> Response[Any]:
    row = await _event_or_404(event_id)
    if not await service.close_event(event_id, _actor(request)):
        return await _event_page(request, row, "This event is already closed.")
    return _done(request, "Event closed", "admin.event", event_id=event_id)


def _deadline_form(
    request: Request[Any, Any, Any], row: dict[str, Any], deadline: Any, values: Any, errors: Any
) -> Response[Any]:
    context = {"event": row, "deadline": deadline, "values": values, "errors": errors}
    return render(request, "admin/deadline.html", context)


@get("/events/{event_id:int}/deadline", name="admin.deadline")
async def deadline_page(request: Request[Any, Any, Any], event_id: int) -> Response[Any]:
    row = await _event_or_404(event_id)
    if _closed(row):
        return await _event_page(request, row, CLOSED)
    return _deadline_form(request, row, await service.accuracy_deadline(event_id), {}, {})


@post("/events/{event_id:int}/deadline", name="admin.deadline_extend")
async def deadline_extend(
    request: Request[Any, Any, Any], event_id: int, data: Form
) -> Response[Any]:
    row = await _event_or_404(event_id)
    if _closed(row):
        return await _event_page(request, row, CLOSED)
    parsed = forms.deadline(data)
    errors = dict(parsed.errors)
    if parsed.ok:
        try:
            await service.extend_deadline(event_id, parsed.values["due_date"], _actor(request))
        except Refused as refused:
            errors = refused.as_errors("due-day")
        else:
            message = "Accuracy check deadline extended"
            return _done(request, message, "admin.event", event_id=event_id)
    deadline = await service.accuracy_deadline(event_id)
    return _deadline_form(request, row, deadline, parsed.values, errors)


# -- the Ofsted team --------------------------------------------------------------------


def _member_form(
    request: Request[Any, Any, Any],
    row: dict[str, Any],
    member: dict[str, Any] | None,
    values: Any,
    errors: Any,
) -> Response[Any]:
    context = {
        "event": row,
        "team_roles": TEAM_ROLES,
        "member": member,
        "values": values,
        "errors": errors,
    }
    return render(request, "admin/member_form.html", context)


@get("/events/{event_id:int}/team/new", name="admin.member_new")
async def member_new(request: Request[Any, Any, Any], event_id: int) -> Response[Any]:
    row = await _event_or_404(event_id)
    if _closed(row):
        return await _event_page(request, row, CLOSED)
    return _member_form(request, row, None, {}, {})


@post("/events/{event_id:int}/team", name="admin.member_add")
async def member_add(request: Request[Any, Any, Any], event_id: int, data: Form) -> Response[Any]:
    row = await _event_or_404(event_id)
    if _closed(row):
        return await _event_page(request, row, CLOSED)
    parsed = forms.team_member(data, new=True)
    errors = dict(parsed.errors)
    if parsed.ok:
        try:
            await service.add_team_member(
                event_id=event_id, **parsed.values, actor_id=_actor(request)
            )
        except Refused as refused:
            errors = refused.as_errors("username")
        else:
            return _done(request, "Inspector added", "admin.event", event_id=event_id)
    return _member_form(request, row, None, parsed.values, errors)


async def _member_or_404(event_id: int, member_id: int) -> tuple[TeamMember, dict[str, Any]]:
    member = await service.member(event_id, member_id)
    if member is None:
        raise NotFoundException()
    shown = next(m for m in await service.team(event_id) if m["id"] == member.id)
    return member, shown


@get("/events/{event_id:int}/team/{member_id:int}", name="admin.member")
async def member_page(
    request: Request[Any, Any, Any], event_id: int, member_id: int
) -> Response[Any]:
    row = await _event_or_404(event_id)
    if _closed(row):
        return await _event_page(request, row, CLOSED)
    member, shown = await _member_or_404(event_id, member_id)
    values = {"team_role": member.team_role, "pen_portrait": member.pen_portrait}
    return _member_form(request, row, shown, values, {})


@post("/events/{event_id:int}/team/{member_id:int}", name="admin.member_update")
async def member_update(
    request: Request[Any, Any, Any], event_id: int, member_id: int, data: Form
) -> Response[Any]:
    row = await _event_or_404(event_id)
    if _closed(row):
        return await _event_page(request, row, CLOSED)
    member, shown = await _member_or_404(event_id, member_id)
    parsed = forms.team_member(data, new=False)
    errors = dict(parsed.errors)
    if parsed.ok:
        try:
            await service.update_team_member(
                member,
                team_role=parsed.values["team_role"],
                pen_portrait=parsed.values["pen_portrait"],
                actor_id=_actor(request),
            )
        except Refused as refused:
            errors = refused.as_errors("team_role")
        else:
            return _done(request, "Team member saved", "admin.event", event_id=event_id)
    return _member_form(request, row, shown, parsed.values, errors)


@get("/events/{event_id:int}/team/{member_id:int}/remove", name="admin.member_remove_confirm")
async def member_remove_confirm(
    request: Request[Any, Any, Any], event_id: int, member_id: int
) -> Response[Any]:
    row = await _event_or_404(event_id)
    if _closed(row):
        return await _event_page(request, row, CLOSED)
    _, shown = await _member_or_404(event_id, member_id)
    context = {"event": row, "member": shown}
    return render(request, "admin/remove_member.html", context)


@post("/events/{event_id:int}/team/{member_id:int}/remove", name="admin.member_remove")
async def member_remove(
    request: Request[Any, Any, Any], event_id: int, member_id: int
) -> Response[Any]:
    row = await _event_or_404(event_id)
    if _closed(row):
        return await _event_page(request, row, CLOSED)
    member, _ = await _member_or_404(event_id, member_id)
    await service.remove_team_member(member, _actor(request))
    return _done(request, "Inspector removed from the team", "admin.event", event_id=event_id)


# -- users ------------------------------------------------------------------------------


@get("/users", name="admin.users")
async def users(request: Request[Any, Any, Any], q: str = "") -> Response[Any]:
    result = await service.users(q, Position.of(request.query_params))
    return _search_results(request, "admin/users.html", "admin.users", q, result)


def _user_form(
    request: Request[Any, Any, Any], values: Any, errors: Any, suggested: bool = False
) -> Response[Any]:
    context = {"values": values, "errors": errors, "roles": forms.ROLES, "suggested": suggested}
    return render(request, "admin/user_form.html", context)


async def _suggest(values: dict[str, Any]) -> bool:
    """No username typed: one made from the name (still checked free on save)."""
    if values.get("username") or not values.get("display_name"):
        return False
    values["username"] = await suggest_username(values["display_name"])
    return bool(values["username"])


@get("/users/new", name="admin.user_new")
async def user_new(
    request: Request[Any, Any, Any], provider: str = "", display_name: str = "", username: str = ""
) -> Response[Any]:
    """The form; given a name (the name field's htmx request, or a link), the username a
    blank field would get under it. What is typed in the fields is never replaced."""
    values = {
        "provider_urn": provider,
        "role": "provider" if provider else "",
        "display_name": display_name.strip(),
        "username": username.strip().lower(),
    }
    suggestion = ""
    if display_name.strip() and not username.strip():
        suggestion = await suggest_username(display_name)
    context = {"values": values, "errors": {}, "roles": forms.ROLES, "suggestion": suggestion}
    return render(request, "admin/user_form.html", context, block="username_suggestion")


@post("/users", name="admin.user_create")
async def user_create(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    parsed = forms.user(data)
    values, errors = parsed.values, dict(parsed.errors)
    provider_id = None
    if values["role"] == "provider" and values["provider_urn"]:
        provider = await service.provider_by_urn(values["provider_urn"])
        if provider is None:
            errors["provider_urn"] = "There is no provider with this URN"
        else:
            provider_id = provider.id
    suggested = await _suggest(values)
    if not values["username"] and "display_name" not in errors:
        errors["username"] = "Enter a username"
    if not errors:
        try:
            created = await create_user(
                username=values["username"],
                email=values["email"],
                display_name=values["display_name"],
                role=values["role"],
                provider_id=provider_id,
                actor_id=_actor(request),
                settings=request.app.state.settings,
            )
        except AccountError as refused:
            field = {"provider_id": "provider_urn"}.get(refused.field, refused.field)
            errors = {field or "username": str(refused)}
        else:
            message = (
                f"User created and invitation emails sent. Their username is {created.username}"
            )
            return _done(request, message, "admin.user", user_id=created.id)
    return _user_form(request, values, errors, suggested)


async def _user_or_404(user_id: int) -> dict[str, Any]:
    row = await service.user(user_id)
    if row is None:
        raise NotFoundException()
    return row


@get("/users/{user_id:int}", name="admin.user")
async def user_page(request: Request[Any, Any, Any], user_id: int) -> Response[Any]:
    return await _user_page(request, await _user_or_404(user_id))


@post("/users/{user_id:int}/resend-invitation", name="admin.user_resend")
async def user_resend(request: Request[Any, Any, Any], user_id: int) -> Response[Any]:
    row = await _user_or_404(user_id)
    if not row["active"]:
        raise PermissionDeniedException()
    try:
        await resend_invitation(
            user_id,
            _actor(request),
            settings=request.app.state.settings,
            sessions=request.app.state.sessions,
        )
    except AccountError as refused:
        raise PermissionDeniedException() from refused
    return _done(request, "Invitation emails sent again", "admin.user", user_id=user_id)


@post("/users/{user_id:int}/unlock", name="admin.user_unlock")
async def user_unlock(request: Request[Any, Any, Any], user_id: int) -> Response[Any]:
    await _user_or_404(user_id)
    await unlock(user_id, _actor(request))
    return _done(request, "Account unlocked", "admin.user", user_id=user_id)


ALREADY_DEACTIVATED = "This account is already deactivated."


@get("/users/{user_id:int}/deactivate", name="admin.user_deactivate_confirm")
async def user_deactivate_confirm(request: Request[Any, Any, Any], user_id: int) -> Response[Any]:
    row = await _user_or_404(user_id)
    if not row["active"]:
        return await _user_page(request, row, ALREADY_DEACTIVATED)
    return render(request, "admin/deactivate_user.html", {"person": row})


@post("/users/{user_id:int}/deactivate", name="admin.user_deactivate")
async def user_deactivate(request: Request[Any, Any, Any], user_id: int) -> Response[Any]:
    row = await _user_or_404(user_id)
    if row["id"] == _actor(request):
        raise PermissionDeniedException()  # never lock oneself out of the console
    if not row["active"]:
        return await _user_page(request, row, ALREADY_DEACTIVATED)
    await deactivate(
        user_id,
        _actor(request),
        settings=request.app.state.settings,
        sessions=request.app.state.sessions,
    )
    return _done(request, "Account deactivated", "admin.user", user_id=user_id)


# -- the audit log ----------------------------------------------------------------------


@get("/audit", name="admin.audit")
async def audit_log(request: Request[Any, Any, Any]) -> Response[Any]:
    params = {key: request.query_params.get(key, "") for key in request.query_params}
    parsed = forms.audit_filter(params)
    values = parsed.values
    filters = service.AuditFilter(
        event_ref=values["event_ref"],
        username=values["username"],
        date_from=values["date_from"] if parsed.ok else None,
        date_to=values["date_to"] if parsed.ok else None,
    )
    result = await service.audit_log(filters, Position.of(params))
    for row in result.items:  # what is stored stays as it is; the log shows it in words
        row["detail_text"] = audit_details.readable(row["action"], row["detail"])
    return render(
        request,
        "admin/audit.html",
        {
            "values": values,
            "errors": parsed.errors,
            "page": result,
            "pagination": links(_url(request, "admin.audit"), values, result),
        },
        block="results",
    )


router = routing.router(
    "/admin",
    [
        home,
        providers,
        provider_new,
        provider_create,
        provider_page,
        provider_update,
        events,
        event_new,
        event_create,
        event_page,
        event_close_confirm,
        event_close,
        deadline_page,
        deadline_extend,
        member_new,
        member_add,
        member_page,
        member_update,
        member_remove_confirm,
        member_remove,
        users,
        user_new,
        user_create,
        user_page,
        user_resend,
        user_unlock,
        user_deactivate_confirm,
        user_deactivate,
        audit_log,
        *correction_routes.HANDLERS,
        *waiting_routes.HANDLERS,
    ],
    guards=[role("admin")],
)
