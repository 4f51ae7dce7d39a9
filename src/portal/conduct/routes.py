"""Code of conduct: the page, confirming it has been read, concerns and the lead
inspector's response, evidence confirmation, and the event's evidence record."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, Router, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import Body
from litestar.response import Response

from portal.conduct import forms, service
from portal.web.access import EventAccess, provide_event_access
from portal.web.banner import with_banner
from portal.web.guards import signed_in
from portal.web.render import redirect, render, wants_fragment

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
EVENT = {"guards": [signed_in], "dependencies": {"access": Provide(provide_event_access)}}


def _done(request: Request[Any, Any, Any], event_id: int, message: str, anchor: str) -> str:
    return with_banner(request, f"/events/{event_id}#{anchor}", message)


def _base_url(request: Request[Any, Any, Any]) -> str:
    return request.app.state.settings.base_url


def _context(access: EventAccess, **extra: Any) -> dict[str, Any]:
    return {"access": access, "event": access.event, **extra}


@get("/code-of-conduct", name="conduct.code_of_conduct")
async def code_of_conduct(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(
        request,
        "conduct/code_of_conduct.html",
        {"code_url": service.CODE_URL, "complaints_url": service.COMPLAINTS_URL},
    )


# -- reading the code ---------------------------------------------------------------


@post("/events/{event_id:int}/code-of-conduct/read", name="conduct.read", **EVENT)
async def confirm_reading(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
    access.require(service.permissions(access).confirm_reading)
    await service.confirm_reading(access.event.id, access.user.id)
    if wants_fragment(request):
        section = await service.section(access)
        return render(
            request,
            "conduct/sections.html",
            _context(access, conduct=section, announce=True),
            block="conduct_reading",
        )
    return redirect(
        request,
        _done(
            request,
            access.event.id,
            "You have confirmed that you have read the code of conduct",
            "code-of-conduct",
        ),
    )


# -- concerns -----------------------------------------------------------------------


async def _follow_up(access: EventAccess, raw: str | None) -> dict[str, Any] | None:
    if raw and raw.isdigit():
        return await service.concern(access.event.id, int(raw))
    return None


@get("/events/{event_id:int}/concerns/new", name="conduct.concern_new", **EVENT)
async def concern_new(
    request: Request[Any, Any, Any], access: EventAccess, follow_up_of: str | None = None
) -> Response[Any]:
    access.require(service.permissions(access).raise_concern)
    earlier = await _follow_up(access, follow_up_of)
    return render(
        request,
        "conduct/raise_concern.html",
        _context(
            access,
            values={"follow_up_of": str(earlier["id"]) if earlier else ""},
            errors={},
            earlier=earlier,
        ),
    )


@post("/events/{event_id:int}/concerns", name="conduct.concern_raise", **EVENT)
async def concern_raise(
    request: Request[Any, Any, Any], access: EventAccess, data: Form
) -> Response[Any]:
    access.require(service.permissions(access).raise_concern)
    values, errors = forms.concern(data)
    earlier = await _follow_up(access, values["follow_up_of"])
    if errors:
        return render(
            request,
            "conduct/raise_concern.html",
            _context(access, values=values, errors=errors, earlier=earlier),
            block="concern_form",
        )
    await service.raise_concern(
        access,
        values["concern"],
        follow_up_of=earlier["id"] if earlier else None,
        base_url=_base_url(request),
    )
    return redirect(
        request,
        _done(
            request, access.event.id, "Your concern has been sent to the lead inspector", "concerns"
        ),
    )


async def _concern_or_404(access: EventAccess, concern_id: int) -> dict[str, Any]:
    row = await service.concern(access.event.id, concern_id)
    if row is None:
        raise NotFoundException()
    return row


@get("/events/{event_id:int}/concerns/{concern_id:int}", name="conduct.concern", **EVENT)
async def concern_page(
    request: Request[Any, Any, Any], access: EventAccess, concern_id: int
) -> Response[Any]:
    row = await _concern_or_404(access, concern_id)
    return render(
        request,
        "conduct/concern.html",
        _context(access, concern=row, can=service.permissions(access), errors={}, values={}),
        block="concern_card",
    )


@post(
    "/events/{event_id:int}/concerns/{concern_id:int}/response",
    name="conduct.concern_respond",
    **EVENT,
)
async def concern_respond(
    request: Request[Any, Any, Any], access: EventAccess, concern_id: int, data: Form
) -> Response[Any]:
    can = service.permissions(access)
    access.require(can.respond)
    row = await _concern_or_404(access, concern_id)
    context = _context(access, concern=row, can=can, errors={}, values={})
    if row["responded_at"] is not None:
        return _already_done(request, "conduct/concern.html", context, "concern_card")
    values, errors = forms.response(data, concern_id)
    if errors:
        context.update(values=values, errors=errors)
        return render(request, "conduct/concern.html", context, block="concern_card")
    try:
        await service.respond(access, concern_id, values["response"], values["action"])
    except service.AlreadyDone:
        context["concern"] = await _concern_or_404(access, concern_id)
        return _already_done(request, "conduct/concern.html", context, "concern_card")
    if wants_fragment(request):
        context.update(concern=await _concern_or_404(access, concern_id), announce=True)
        return render(request, "conduct/concern.html", context, block="concern_card")
    return redirect(
        request,
        _done(request, access.event.id, "Your response has been recorded", f"concern-{concern_id}"),
    )


def _already_done(
    request: Request[Any, Any, Any], template: str, context: dict[str, Any], block: str
) -> Response[Any]:
    """A form that is done stays done: 409 for htmx, the view-only page otherwise."""
    if wants_fragment(request):
        raise HTTPException(status_code=409)
    return render(request, template, context)


# -- evidence confirmation ----------------------------------------------------------


@get("/events/{event_id:int}/evidence-confirmations/new", name="conduct.evidence_new", **EVENT)
async def evidence_new(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
    access.require(service.permissions(access).request_evidence)
    return render(request, "conduct/request_evidence.html", _context(access, values={}, errors={}))


@post("/events/{event_id:int}/evidence-confirmations", name="conduct.evidence_request", **EVENT)
async def evidence_request(
    request: Request[Any, Any, Any], access: EventAccess, data: Form
) -> Response[Any]:
    access.require(service.permissions(access).request_evidence)
    values, errors = forms.evidence_request(data)
    if errors:
        return render(
            request,
            "conduct/request_evidence.html",
            _context(access, values=values, errors=errors),
            block="request_form",
        )
    await service.request_evidence(access, values["message"], base_url=_base_url(request))
    return redirect(
        request,
        _done(
            request,
            access.event.id,
            "The provider has been asked to confirm they have provided all relevant evidence",
            "evidence-confirmation",
        ),
    )


async def _request_or_404(access: EventAccess, request_id: int) -> dict[str, Any]:
    row = await service.evidence_request(access.event.id, request_id)
    if row is None:
        raise NotFoundException()
    return row


def _evidence_context(access: EventAccess, row: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return _context(
        access,
        item=row,
        can=service.permissions(access),
        answers=service.ANSWERS,
        errors={},
        values={},
        **extra,
    )


@get(
    "/events/{event_id:int}/evidence-confirmations/{request_id:int}",
    name="conduct.evidence",
    **EVENT,
)
async def evidence_page(
    request: Request[Any, Any, Any], access: EventAccess, request_id: int
) -> Response[Any]:
    row = await _request_or_404(access, request_id)
    return render(
        request,
        "conduct/evidence_request.html",
        _evidence_context(access, row),
        block="evidence_card",
    )


@post(
    "/events/{event_id:int}/evidence-confirmations/{request_id:int}/answer",
    name="conduct.evidence_answer",
    **EVENT,
)
async def evidence_answer(
    request: Request[Any, Any, Any], access: EventAccess, request_id: int, data: Form
) -> Response[Any]:
    access.require(service.permissions(access).answer_evidence)
    row = await _request_or_404(access, request_id)
    context = _evidence_context(access, row)
    template = "conduct/evidence_request.html"
    if row["answered_at"] is not None:
        return _already_done(request, template, context, "evidence_card")
    values, errors = forms.evidence_answer(data, request_id)
    if errors:
        context.update(values=values, errors=errors)
        return render(request, template, context, block="evidence_card")
    try:
        await service.answer_evidence(access, request_id, values["answer"], values["outstanding"])
    except service.AlreadyDone:
        context["item"] = await _request_or_404(access, request_id)
        return _already_done(request, template, context, "evidence_card")
    if wants_fragment(request):
        context.update(item=await _request_or_404(access, request_id), announce=True)
        return render(request, template, context, block="evidence_card")
    return redirect(
        request,
        _done(
            request,
            access.event.id,
            "Your answer has been sent to the inspection team",
            f"evidence-{request_id}",
        ),
    )


# -- the evidence record --------------------------------------------------------------


@get("/events/{event_id:int}/evidence-record", name="conduct.evidence_record", **EVENT)
async def evidence_record(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
    access.require(service.permissions(access).read_record)
    entries = await service.evidence_record(access.event)
    return render(request, "conduct/evidence_record.html", _context(access, entries=entries))


@get(
    "/events/{event_id:int}/evidence-record/download",
    name="conduct.evidence_record_download",
    **EVENT,
)
async def evidence_record_download(
    request: Request[Any, Any, Any], access: EventAccess
) -> Response[str]:
    access.require(service.permissions(access).read_record)
    entries = await service.evidence_record(access.event)
    body = service.evidence_record_csv(access.event, entries)
    name = f"evidence-record-{access.event.event_ref}.csv"
    return Response(
        content=body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{quote(name)}"'},
    )


route_handlers = [
    code_of_conduct,
    confirm_reading,
    concern_new,
    concern_raise,
    concern_page,
    concern_respond,
    evidence_new,
    evidence_request,
    evidence_page,
    evidence_answer,
    evidence_record,
    evidence_record_download,
]

# Until this feature declares its own Router (issue 12): its handlers, as they are.
router = Router(path="/", route_handlers=route_handlers)
