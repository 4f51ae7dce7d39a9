"""Code of conduct: the page, confirming it has been read, concerns and the lead
inspector's response, evidence confirmation, and the event's evidence record.

A concern has one response and an evidence request one answer: a second one changes
nothing and shows the card as it now is, with a message (`render.already_done`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Response

from portal.conduct import forms, service
from portal.receipts.api import with_reference
from portal.validation import Parsed
from portal.web.access import EventAccess
from portal.web.banner import with_banner
from portal.web.downloads import csv_response
from portal.web.render import already_done, redirect, render, wants_fragment
from portal.web.routing import Form, event_router
from portal.web.routing import router as feature_router

CONCERN_ANSWERED = "This concern has already been answered. Your response was not sent."
REQUEST_ANSWERED = "This request has already been answered. Your answer was not sent."
SENT_TO_LEAD = "Your concern has been sent to the lead inspector"
SENT_TO_ADMINS = (
    "Your concern has been sent to Ofsted’s support administrators, because no lead "
    "inspector has been named yet"
)


def _profile(request: Request[Any, Any, Any], access: EventAccess, anchor: str) -> str:
    """The event's page at one of its sections (`anchor`)."""
    return request.app.route_reverse("events.profile", event_id=access.event.id) + "#" + anchor


def _done(
    request: Request[Any, Any, Any], access: EventAccess, anchor: str, message: str
) -> Response[Any]:
    return redirect(request, with_banner(request, _profile(request, access, anchor), message))


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


@post("/code-of-conduct/read", name="conduct.read")
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
    return _done(
        request,
        access,
        "code-of-conduct",
        "You have confirmed that you have read the code of conduct",
    )


# -- concerns -----------------------------------------------------------------------


async def _follow_up(access: EventAccess, raw: str | None) -> dict[str, Any] | None:
    if raw and raw.isdigit():
        return await service.concern(access.event.id, int(raw))
    return None


@get("/concerns/new", name="conduct.concern_new")
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
            has_lead=await service.has_lead(access.event.id),
        ),
    )


@post("/concerns", name="conduct.concern_raise")
async def concern_raise(
    request: Request[Any, Any, Any], access: EventAccess, data: Form
) -> Response[Any]:
    access.require(service.permissions(access).raise_concern)
    parsed = forms.concern(data)
    earlier = await _follow_up(access, parsed.values["follow_up_of"])
    if not parsed.ok:
        return render(
            request,
            "conduct/raise_concern.html",
            _context(
                access,
                values=parsed.values,
                errors=parsed.errors,
                earlier=earlier,
                has_lead=await service.has_lead(access.event.id),
            ),
            block="concern_form",
        )
    # Who is told decides what the provider reads: the lead, or Ofsted's administrators.
    told = SENT_TO_LEAD if await service.has_lead(access.event.id) else SENT_TO_ADMINS
    reference = await service.raise_concern(
        access,
        parsed.values["concern"],
        follow_up_of=earlier["id"] if earlier else None,
    )
    return _done(request, access, "concerns", with_reference(told, reference))


@dataclass(frozen=True)
class Card:
    """A concern or an evidence request: shown on its own page as one card (the block an
    htmx answer swaps), and answered once."""

    template: str
    block: str
    key: str  # the card's name in the template
    answered: str  # the row's column that is set once it has an answer
    anchor: str  # the card's id on the event's page is anchor + its id
    sent: str  # the banner once an answer is sent
    already: str  # the message when it already had one
    find: Callable[[int, int], Awaitable[dict[str, Any] | None]]  # (event id, its id)

    async def load(self, access: EventAccess, item_id: int) -> dict[str, Any]:
        row = await self.find(access.event.id, item_id)
        if row is None:
            raise NotFoundException()
        return row

    def context(self, access: EventAccess, row: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return _context(
            access,
            can=service.permissions(access),
            answers=service.ANSWERS,
            **{self.key: row, "errors": {}, "values": {}, **extra},
        )

    async def show(
        self, request: Request[Any, Any, Any], access: EventAccess, item_id: int
    ) -> Response[Any]:
        row = await self.load(access, item_id)
        return render(request, self.template, self.context(access, row), block=self.block)

    async def answer(
        self,
        request: Request[Any, Any, Any],
        access: EventAccess,
        item_id: int,
        parsed: Parsed[dict[str, str]],
        save: Callable[[dict[str, str]], Awaitable[bool | str | None]],
    ) -> Response[Any]:
        """The form again with its errors; the answer saved (the event's page, or the card
        for htmx); or, if it already had one, the card as it is, with a message."""
        row = await self.load(access, item_id)
        if row[self.answered] is None:
            if not parsed.ok:
                context = self.context(access, row, values=parsed.values, errors=parsed.errors)
                return render(request, self.template, context, block=self.block)
            saved = await save(parsed.values)
            if saved:
                reference = saved if isinstance(saved, str) else None
                if not wants_fragment(request):
                    sent = with_reference(self.sent, reference)
                    return _done(request, access, f"{self.anchor}{item_id}", sent)
                row = await self.load(access, item_id)
                context = self.context(access, row, announce=True, reference=reference)
                return render(request, self.template, context, block=self.block)
            row = await self.load(access, item_id)  # a colleague answered it first
        context = self.context(access, row)
        return already_done(request, self.template, context, block=self.block, message=self.already)


CONCERN = Card(
    template="conduct/concern.html",
    block="concern_card",
    key="concern",
    answered="responded_at",
    anchor="concern-",
    sent="Your response has been recorded",
    already=CONCERN_ANSWERED,
    find=service.concern,
)
EVIDENCE = Card(
    template="conduct/evidence_request.html",
    block="evidence_card",
    key="item",
    answered="answered_at",
    anchor="evidence-",
    sent="Your answer has been sent to the inspection team",
    already=REQUEST_ANSWERED,
    find=service.evidence_request,
)


@get("/concerns/{concern_id:int}", name="conduct.concern")
async def concern_page(
    request: Request[Any, Any, Any], access: EventAccess, concern_id: int
) -> Response[Any]:
    return await CONCERN.show(request, access, concern_id)


@post("/concerns/{concern_id:int}/response", name="conduct.concern_respond")
async def concern_respond(
    request: Request[Any, Any, Any], access: EventAccess, concern_id: int, data: Form
) -> Response[Any]:
    access.require(service.permissions(access).respond)

    async def save(values: dict[str, str]) -> bool:
        return await service.respond(access, concern_id, values["response"], values["action"])

    return await CONCERN.answer(request, access, concern_id, forms.response(data, concern_id), save)


# -- evidence confirmation ----------------------------------------------------------


@get("/evidence-confirmations/new", name="conduct.evidence_new")
async def evidence_new(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
    access.require(service.permissions(access).request_evidence)
    return render(request, "conduct/request_evidence.html", _context(access, values={}, errors={}))


@post("/evidence-confirmations", name="conduct.evidence_request")
async def evidence_request(
    request: Request[Any, Any, Any], access: EventAccess, data: Form
) -> Response[Any]:
    access.require(service.permissions(access).request_evidence)
    parsed = forms.evidence_request(data)
    if not parsed.ok:
        return render(
            request,
            "conduct/request_evidence.html",
            _context(access, values=parsed.values, errors=parsed.errors),
            block="request_form",
        )
    await service.request_evidence(access, parsed.values["message"])
    return _done(
        request,
        access,
        "evidence-confirmation",
        "The provider has been asked to confirm they have provided all relevant evidence",
    )


@get("/evidence-confirmations/{request_id:int}", name="conduct.evidence")
async def evidence_page(
    request: Request[Any, Any, Any], access: EventAccess, request_id: int
) -> Response[Any]:
    return await EVIDENCE.show(request, access, request_id)


@post("/evidence-confirmations/{request_id:int}/answer", name="conduct.evidence_answer")
async def evidence_answer(
    request: Request[Any, Any, Any], access: EventAccess, request_id: int, data: Form
) -> Response[Any]:
    access.require(service.permissions(access).answer_evidence)

    async def save(values: dict[str, str]) -> str | None:
        return await service.answer_evidence(
            access, request_id, values["answer"], values["outstanding"]
        )

    return await EVIDENCE.answer(
        request, access, request_id, forms.evidence_answer(data, request_id), save
    )


# -- the evidence record --------------------------------------------------------------


@get("/evidence-record", name="conduct.evidence_record")
async def evidence_record(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
    access.require(service.permissions(access).read_record)
    entries = await service.evidence_record(access.event)
    return render(request, "conduct/evidence_record.html", _context(access, entries=entries))


@get("/evidence-record/download", name="conduct.evidence_record_download")
async def evidence_record_download(access: EventAccess) -> Response[Any]:
    access.require(service.permissions(access).read_record)
    entries = await service.evidence_record(access.event)
    return csv_response(
        service.evidence_record_csv(access.event, entries),
        f"evidence-record-{access.event.event_ref}.csv",
    )


router = feature_router(
    "/",
    [
        code_of_conduct,
        event_router(
            "",
            [
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
            ],
        ),
    ],
)
