"""The support administrator's console under /admin: providers, events, the Ofsted
team, users and the audit log. Plain GOV.UK pages; every change is audited."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.params import Body
from litestar.response import Response

from portal.admin import forms, service
from portal.db.tables import EVENT_TYPES, TEAM_ROLES, Provider, TeamMember
from portal.web.banner import banner, with_banner
from portal.web.guards import current_user, role
from portal.web.render import redirect, render, wants_fragment

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
ADMIN = {"guards": [role("admin")]}


def _actor(request: Request[Any, Any, Any]) -> int:
    return current_user(request).id


def _page_links(base: str, params: dict[str, str], page: service.Page) -> dict[str, Any]:
    """govukPagination's parameters for a list at `base` with its search `params`."""
    kept = {key: value for key, value in params.items() if value}

    def href(number: int) -> str:
        return f"{base}?{urlencode({**kept, 'page': number})}"

    items: list[dict[str, Any]] = []
    last_shown = 0
    for number in range(1, page.pages + 1):
        if number in (1, page.pages) or abs(number - page.number) <= 1:
            if last_shown and number - last_shown > 1:
                items.append({"ellipsis": True})
            items.append({"number": number, "href": href(number), "current": number == page.number})
            last_shown = number
    return {
        "items": items if page.pages > 1 else [],
        "previous": {"href": href(page.number - 1)} if page.number > 1 else None,
        "next": {"href": href(page.number + 1)} if page.number < page.pages else None,
    }


# -- home -----------------------------------------------------------------------------


def _search_results(
    request: Request[Any, Any, Any],
    template: str,
    base: str,
    q: str,
    result: service.Page,
    **extra: Any,
) -> Response[Any]:
    """A searchable list page (providers, events, users); its results block for htmx."""
    context = {
        "q": q,
        "page": result,
        "pagination": _page_links(base, {"q": q}, result),
        "banner": banner(request),
        **extra,
    }
    return render(request, template, context, block="results")


@get("/admin", name="admin.home", **ADMIN)
async def home(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "admin/home.html")


# -- providers --------------------------------------------------------------------------


@get("/admin/providers", name="admin.providers", **ADMIN)
async def providers(
    request: Request[Any, Any, Any], q: str = "", page: str | None = None
) -> Response[Any]:
    result = await service.providers(q, service.page_number(page))
    return _search_results(request, "admin/providers.html", "/admin/providers", q, result)


@get("/admin/providers/new", name="admin.provider_new", **ADMIN)
async def provider_new(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "admin/provider_form.html", {"values": {}, "errors": {}, "row": None})


@post("/admin/providers", name="admin.provider_create", **ADMIN)
async def provider_create(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    values, errors = forms.provider(data)
    if not errors:
        try:
            row = await service.create_provider(**values, actor_id=_actor(request))
        except service.Refused as refused:
            errors[refused.field] = str(refused)
        else:
            return redirect(
                request, with_banner(request, f"/admin/providers/{row.id}", "Provider created")
            )
    return render(
        request, "admin/provider_form.html", {"values": values, "errors": errors, "row": None}
    )


async def _provider_or_404(provider_id: int) -> Provider:
    row = await service.provider(provider_id)
    if row is None:
        raise NotFoundException()
    return row


@get("/admin/providers/{provider_id:int}", name="admin.provider", **ADMIN)
async def provider_page(request: Request[Any, Any, Any], provider_id: int) -> Response[Any]:
    row = await _provider_or_404(provider_id)
    values = {"name": row.name, "urn": row.urn, "address": row.address}
    events = await service.events("", 1, provider_id=row.id)
    return render(
        request,
        "admin/provider_form.html",
        {
            "values": values,
            "errors": {},
            "row": row,
            "events": events,
            "banner": banner(request),
        },
    )


@post("/admin/providers/{provider_id:int}", name="admin.provider_update", **ADMIN)
async def provider_update(
    request: Request[Any, Any, Any], provider_id: int, data: Form
) -> Response[Any]:
    row = await _provider_or_404(provider_id)
    values, errors = forms.provider(data)
    if not errors:
        try:
            await service.update_provider(row, **values, actor_id=_actor(request))
        except service.Refused as refused:
            errors[refused.field] = str(refused)
        else:
            return redirect(
                request, with_banner(request, f"/admin/providers/{row.id}", "Provider saved")
            )
    events = await service.events("", 1, provider_id=row.id)
    return render(
        request,
        "admin/provider_form.html",
        {"values": values, "errors": errors, "row": row, "events": events},
    )


# -- events -----------------------------------------------------------------------------


@get("/admin/events", name="admin.events", **ADMIN)
async def events(
    request: Request[Any, Any, Any], q: str = "", page: str | None = None
) -> Response[Any]:
    result = await service.events(q, service.page_number(page))
    return _search_results(
        request, "admin/events.html", "/admin/events", q, result, event_types=EVENT_TYPES
    )


@get("/admin/events/new", name="admin.event_new", **ADMIN)
async def event_new(request: Request[Any, Any, Any], provider: str = "") -> Response[Any]:
    return render(
        request,
        "admin/event_form.html",
        {"values": {"provider_urn": provider}, "errors": {}, "event_types": EVENT_TYPES},
    )


@post("/admin/events", name="admin.event_create", **ADMIN)
async def event_create(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    values, errors, start, end = forms.event(data)
    provider = None
    if values["provider_urn"] and "provider_urn" not in errors:
        provider = await service.provider_by_urn(values["provider_urn"])
        if provider is None:
            errors["provider_urn"] = "There is no provider with this URN"
    if not errors and provider is not None and start and end:
        try:
            row = await service.create_event(
                provider_id=provider.id,
                event_ref=values["event_ref"],
                event_type=values["event_type"],
                start_date=start,
                end_date=end,
                actor_id=_actor(request),
            )
        except service.Refused as refused:
            errors[refused.field] = str(refused)
        else:
            return redirect(
                request, with_banner(request, f"/admin/events/{row.id}", "Event created")
            )
    return render(
        request,
        "admin/event_form.html",
        {"values": values, "errors": errors, "event_types": EVENT_TYPES},
    )


async def _event_or_404(event_id: int) -> dict[str, Any]:
    row = await service.event(event_id)
    if row is None:
        raise NotFoundException()
    return row


def _open_or_403(row: dict[str, Any]) -> None:
    if row["status"] == "closed":
        raise PermissionDeniedException()


@get("/admin/events/{event_id:int}", name="admin.event", **ADMIN)
async def event_page(request: Request[Any, Any, Any], event_id: int) -> Response[Any]:
    row = await _event_or_404(event_id)
    return render(
        request,
        "admin/event.html",
        {
            "event": row,
            "team": await service.team(event_id),
            "deadline": await service.accuracy_deadline(event_id),
            "event_types": EVENT_TYPES,
            "team_roles": TEAM_ROLES,
            "banner": banner(request),
        },
    )


@get("/admin/events/{event_id:int}/close", name="admin.event_close_confirm", **ADMIN)
async def event_close_confirm(request: Request[Any, Any, Any], event_id: int) -> Response[Any]:
    row = await _event_or_404(event_id)
    if row["status"] == "closed":
        return redirect(request, f"/admin/events/{event_id}")
    return render(request, "admin/close_event.html", {"event": row})


@post("/admin/events/{event_id:int}/close", name="admin.event_close", **ADMIN)
async def event_close(request: Request[Any, Any, Any], event_id: int) -> Response[Any]:
    await _event_or_404(event_id)
    if not await service.close_event(event_id, _actor(request)):
        if wants_fragment(request):
            raise HTTPException(status_code=409)
        return redirect(request, f"/admin/events/{event_id}")
    return redirect(request, with_banner(request, f"/admin/events/{event_id}", "Event closed"))


@get("/admin/events/{event_id:int}/deadline", name="admin.deadline", **ADMIN)
async def deadline_page(request: Request[Any, Any, Any], event_id: int) -> Response[Any]:
    row = await _event_or_404(event_id)
    _open_or_403(row)
    current = await service.accuracy_deadline(event_id)
    return render(
        request,
        "admin/deadline.html",
        {"event": row, "deadline": current, "values": {}, "errors": {}},
    )


@post("/admin/events/{event_id:int}/deadline", name="admin.deadline_extend", **ADMIN)
async def deadline_extend(
    request: Request[Any, Any, Any], event_id: int, data: Form
) -> Response[Any]:
    row = await _event_or_404(event_id)
    _open_or_403(row)
    values, errors, day = forms.deadline(data)
    if not errors and day is not None:
        try:
            await service.extend_deadline(event_id, day, _actor(request))
        except service.Refused as refused:
            errors["due-day"] = str(refused)
        else:
            return redirect(
                request,
                with_banner(
                    request, f"/admin/events/{event_id}", "Accuracy check deadline extended"
                ),
            )
    return render(
        request,
        "admin/deadline.html",
        {
            "event": row,
            "deadline": await service.accuracy_deadline(event_id),
            "values": values,
            "errors": errors,
        },
    )


# -- the Ofsted team --------------------------------------------------------------------


def _member_context(row: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"event": row, "team_roles": TEAM_ROLES, **extra}


@get("/admin/events/{event_id:int}/team/new", name="admin.member_new", **ADMIN)
async def member_new(request: Request[Any, Any, Any], event_id: int) -> Response[Any]:
    row = await _event_or_404(event_id)
    _open_or_403(row)
    return render(
        request, "admin/member_form.html", _member_context(row, values={}, errors={}, member=None)
    )


@post("/admin/events/{event_id:int}/team", name="admin.member_add", **ADMIN)
async def member_add(request: Request[Any, Any, Any], event_id: int, data: Form) -> Response[Any]:
    row = await _event_or_404(event_id)
    _open_or_403(row)
    values, errors = forms.team_member(data, new=True)
    if not errors:
        try:
            await service.add_team_member(event_id=event_id, **values, actor_id=_actor(request))
        except service.Refused as refused:
            errors[refused.field] = str(refused)
        else:
            return redirect(
                request, with_banner(request, f"/admin/events/{event_id}", "Inspector added")
            )
    return render(
        request,
        "admin/member_form.html",
        _member_context(row, values=values, errors=errors, member=None),
    )


async def _member_or_404(event_id: int, member_id: int) -> tuple[TeamMember, dict[str, Any]]:
    member = await service.member(event_id, member_id)
    if member is None:
        raise NotFoundException()
    shown = next(m for m in await service.team(event_id) if m["id"] == member.id)
    return member, shown


@get("/admin/events/{event_id:int}/team/{member_id:int}", name="admin.member", **ADMIN)
async def member_page(
    request: Request[Any, Any, Any], event_id: int, member_id: int
) -> Response[Any]:
    row = await _event_or_404(event_id)
    _open_or_403(row)
    member, shown = await _member_or_404(event_id, member_id)
    values = {"team_role": member.team_role, "pen_portrait": member.pen_portrait}
    return render(
        request,
        "admin/member_form.html",
        _member_context(row, values=values, errors={}, member=shown),
    )


@post("/admin/events/{event_id:int}/team/{member_id:int}", name="admin.member_update", **ADMIN)
async def member_update(
    request: Request[Any, Any, Any], event_id: int, member_id: int, data: Form
) -> Response[Any]:
    row = await _event_or_404(event_id)
    _open_or_403(row)
    member, shown = await _member_or_404(event_id, member_id)
    values, errors = forms.team_member(data, new=False)
    if not errors:
        try:
            await service.update_team_member(
                member,
                team_role=values["team_role"],
                pen_portrait=values["pen_portrait"],
                actor_id=_actor(request),
            )
        except service.Refused as refused:
            errors[refused.field] = str(refused)
        else:
            return redirect(
                request, with_banner(request, f"/admin/events/{event_id}", "Team member saved")
            )
    return render(
        request,
        "admin/member_form.html",
        _member_context(row, values=values, errors=errors, member=shown),
    )


@get(
    "/admin/events/{event_id:int}/team/{member_id:int}/remove",
    name="admin.member_remove_confirm",
    **ADMIN,
)
async def member_remove_confirm(
    request: Request[Any, Any, Any], event_id: int, member_id: int
) -> Response[Any]:
    row = await _event_or_404(event_id)
    _open_or_403(row)
    _, shown = await _member_or_404(event_id, member_id)
    return render(request, "admin/remove_member.html", _member_context(row, member=shown))


@post(
    "/admin/events/{event_id:int}/team/{member_id:int}/remove",
    name="admin.member_remove",
    **ADMIN,
)
async def member_remove(
    request: Request[Any, Any, Any], event_id: int, member_id: int
) -> Response[Any]:
    row = await _event_or_404(event_id)
    _open_or_403(row)
    member, _ = await _member_or_404(event_id, member_id)
    await service.remove_team_member(member, _actor(request))
    return redirect(
        request,
        with_banner(request, f"/admin/events/{event_id}", "Inspector removed from the team"),
    )


# -- users ------------------------------------------------------------------------------


@get("/admin/users", name="admin.users", **ADMIN)
async def users(
    request: Request[Any, Any, Any], q: str = "", page: str | None = None
) -> Response[Any]:
    result = await service.users(q, service.page_number(page))
    return _search_results(request, "admin/users.html", "/admin/users", q, result)


@get("/admin/users/new", name="admin.user_new", **ADMIN)
async def user_new(request: Request[Any, Any, Any], provider: str = "") -> Response[Any]:
    values = {"provider_urn": provider, "role": "provider" if provider else ""}
    return render(
        request, "admin/user_form.html", {"values": values, "errors": {}, "roles": forms.ROLES}
    )


@post("/admin/users", name="admin.user_create", **ADMIN)
async def user_create(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    from portal.auth.accounts import AccountError, create_user

    values, errors = forms.user(data)
    provider_id = None
    if values["role"] == "provider" and values["provider_urn"]:
        provider = await service.provider_by_urn(values["provider_urn"])
        if provider is None:
            errors["provider_urn"] = "There is no provider with this URN"
        else:
            provider_id = provider.id
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
            errors[field or "username"] = str(refused)
        else:
            return redirect(
                request,
                with_banner(
                    request, f"/admin/users/{created.id}", "User created and invitation emails sent"
                ),
            )
    return render(
        request, "admin/user_form.html", {"values": values, "errors": errors, "roles": forms.ROLES}
    )


async def _user_or_404(user_id: int) -> dict[str, Any]:
    row = await service.user(user_id)
    if row is None:
        raise NotFoundException()
    return row


@get("/admin/users/{user_id:int}", name="admin.user", **ADMIN)
async def user_page(request: Request[Any, Any, Any], user_id: int) -> Response[Any]:
    from datetime import UTC, datetime

    row = await _user_or_404(user_id)
    locked = row["locked_until"]
    if locked is not None and locked.tzinfo is None:
        locked = locked.replace(tzinfo=UTC)
    return render(
        request,
        "admin/user.html",
        {
            "person": row,
            "locked": bool(locked and locked > datetime.now(UTC)),
            "events": await service.user_events(user_id),
            "team_roles": TEAM_ROLES,
            "banner": banner(request),
        },
    )


@post("/admin/users/{user_id:int}/resend-invitation", name="admin.user_resend", **ADMIN)
async def user_resend(request: Request[Any, Any, Any], user_id: int) -> Response[Any]:
    from portal.auth.accounts import AccountError, resend_invitation

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
    return redirect(
        request, with_banner(request, f"/admin/users/{user_id}", "Invitation emails sent again")
    )


@post("/admin/users/{user_id:int}/unlock", name="admin.user_unlock", **ADMIN)
async def user_unlock(request: Request[Any, Any, Any], user_id: int) -> Response[Any]:
    from portal.auth.accounts import unlock

    await _user_or_404(user_id)
    await unlock(user_id, _actor(request))
    return redirect(request, with_banner(request, f"/admin/users/{user_id}", "Account unlocked"))


@get("/admin/users/{user_id:int}/deactivate", name="admin.user_deactivate_confirm", **ADMIN)
async def user_deactivate_confirm(request: Request[Any, Any, Any], user_id: int) -> Response[Any]:
    row = await _user_or_404(user_id)
    if not row["active"]:
        return redirect(request, f"/admin/users/{user_id}")
    return render(request, "admin/deactivate_user.html", {"person": row})


@post("/admin/users/{user_id:int}/deactivate", name="admin.user_deactivate", **ADMIN)
async def user_deactivate(request: Request[Any, Any, Any], user_id: int) -> Response[Any]:
    from portal.auth.accounts import deactivate

    row = await _user_or_404(user_id)
    if row["id"] == _actor(request):
        raise PermissionDeniedException()  # never lock oneself out of the console
    if not row["active"]:
        if wants_fragment(request):
            raise HTTPException(status_code=409)
        return redirect(request, f"/admin/users/{user_id}")
    await deactivate(
        user_id,
        _actor(request),
        settings=request.app.state.settings,
        sessions=request.app.state.sessions,
    )
    return redirect(request, with_banner(request, f"/admin/users/{user_id}", "Account deactivated"))


# -- the audit log ----------------------------------------------------------------------


@get("/admin/audit", name="admin.audit", **ADMIN)
async def audit_log(request: Request[Any, Any, Any]) -> Response[Any]:
    params = {key: request.query_params.get(key, "") for key in request.query_params}
    values, errors, date_from, date_to = forms.audit_filter(params)
    filters = service.AuditFilter(
        event_ref=values["event_ref"],
        username=values["username"],
        date_from=None if errors else date_from,
        date_to=None if errors else date_to,
    )
    result = await service.audit_log(filters, service.page_number(params.get("page")))
    kept = {key: value for key, value in values.items() if key != "page"}
    return render(
        request,
        "admin/audit.html",
        {
            "values": values,
            "errors": errors,
            "page": result,
            "pagination": _page_links("/admin/audit", kept, result),
        },
        block="results",
    )


route_handlers = [
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
]

# Until this feature declares its own Router (issue 12): its handlers, as they are.
router = Router(path="/", route_handlers=route_handlers)
