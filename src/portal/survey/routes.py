"""The survey: the provider's optional feedback on one event, and the support
administrator's pages of every response (/admin/surveys, owned here)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.response import Response

from portal.receipts.api import with_reference
from portal.survey import forms, service
from portal.survey.questions import ACTIVITIES, LEAST, MOST, RATINGS, STATEMENTS, TEXT_LIMIT
from portal.validation import Errors
from portal.web import routing
from portal.web.access import EventAccess
from portal.web.banner import with_banner
from portal.web.downloads import csv_response
from portal.web.guards import current_user, role
from portal.web.paging import page_number
from portal.web.render import already_done, redirect, render
from portal.web.routing import Form, event_router

TEMPLATE = "survey/form.html"


def _questions() -> dict[str, Any]:
    return {
        "statements": STATEMENTS,
        "ratings": RATINGS,
        "activities": ACTIVITIES,
        "most_fields": MOST,
        "least_fields": LEAST,
        "activity_label": forms.activity_label,
        "rating_field": forms.rating_field,
        "text_limit": TEXT_LIMIT,
    }


async def _context(
    access: EventAccess,
    answers: forms.Answers | None = None,
    errors: Errors | None = None,
    *,
    announce: bool = False,
) -> dict[str, Any]:
    """The survey page: the answers as typed (or as saved), editable until closed."""
    response = await service.response_for(access.event.id)
    if answers is None:
        answers = response.answers if response else forms.Answers()
    context = {
        "access": access,
        "event": access.event,
        "response": response,
        "answers": answers,
        "values": answers.values,
        "editable": service.editable(access),
        "announce": announce,
        **_questions(),
    }
    if errors:
        context["errors"] = errors
    return context


async def _closed(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
    """A change after the event closed: nothing is saved, the answers are shown view only
    (for htmx, the whole survey block, wherever the request came from)."""
    response = already_done(
        request, TEMPLATE, await _context(access), block="survey_form", message=service.CLOSED
    )
    response.headers.update({"HX-Retarget": "#survey-form", "HX-Reswap": "outerHTML"})
    return response


@get("/", name="survey.form")
async def survey_form(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
    access.require(service.may_read(access))
    return render(request, TEMPLATE, await _context(access))


@post("/", name="survey.save")
async def survey_save(
    request: Request[Any, Any, Any], access: EventAccess, data: Form
) -> Response[Any]:
    access.require(service.may_answer(access))
    if not service.editable(access):
        return await _closed(request, access)
    parsed = forms.parse(data)
    if not parsed.ok:
        context = await _context(access, parsed.values, parsed.errors)
        return render(request, TEMPLATE, context, block="survey_form")
    reference = await service.save(access.event.id, current_user(request).id, parsed.values)
    profile = request.app.route_reverse("events.profile", event_id=access.event.id)
    message = with_reference(service.SAVED_BANNER, reference)
    return redirect(request, with_banner(request, profile, message))


@post("/validate", name="survey.validate")
async def survey_validate(
    request: Request[Any, Any, Any], access: EventAccess, data: Form
) -> Response[Any]:
    """Checks the activity menus as they are chosen (htmx); stores nothing. Without
    htmx (not reachable from the page, but a POST is a POST) it shows the whole form."""
    access.require(service.may_answer(access))
    if not service.editable(access):
        return await _closed(request, access)
    parsed = forms.parse_activities(data)
    context = await _context(access, parsed.values, parsed.errors, announce=True)
    return render(request, TEMPLATE, context, block="activities")


@get("/surveys", name="survey.admin")
async def admin_surveys(request: Request[Any, Any, Any], page: str | None = None) -> Response[Any]:
    results = await service.responses_page(page_number(page))
    context = {"summary": await service.summary(), "results": results, **_questions()}
    return render(request, "survey/admin.html", context)


@get("/surveys.csv", name="survey.admin_csv")
async def admin_surveys_csv() -> Response[Any]:
    return csv_response(await service.responses_csv(), service.csv_name())


router = Router(
    path="/",
    route_handlers=[
        event_router("/survey", [survey_form, survey_save, survey_validate]),
        routing.router("/admin", [admin_surveys, admin_surveys_csv], guards=[role("admin")]),
    ],
)
