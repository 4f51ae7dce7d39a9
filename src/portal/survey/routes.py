"""The survey: the provider's optional feedback on one event, and the support
administrator's pages of every response (/admin/surveys, owned here)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Request, Router, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Response

from portal.survey import forms, service
from portal.survey.questions import ACTIVITIES, LEAST, MOST, RATINGS, STATEMENTS
from portal.web.access import EventAccess, provide_event_access
from portal.web.banner import with_banner
from portal.web.guards import current_user, role, signed_in
from portal.web.render import redirect, render

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
EVENT_ROUTE = {"guards": [signed_in], "dependencies": {"access": Provide(provide_event_access)}}


def _questions() -> dict[str, Any]:
    return {
        "statements": STATEMENTS,
        "ratings": RATINGS,
        "activities": ACTIVITIES,
        "most_fields": MOST,
        "least_fields": LEAST,
        "activity_label": forms.activity_label,
        "rating_field": forms.rating_field,
    }


async def _page(
    request: Request[Any, Any, Any],
    access: EventAccess,
    *,
    answers: forms.Answers | None = None,
    errors: dict[str, str] | None = None,
    block: str | None = None,
    announce: bool = False,
) -> Response[Any]:
    response = await service.response_for(access.event.id)
    if answers is None:
        answers = response.answers if response else forms.Answers()
    context = {
        "access": access,
        "event": access.event,
        "title": await service.event_title(access.event.id),
        "response": response,
        "answers": answers,
        "values": answers.values,
        "editable": service.may_edit(access),
        "announce": announce,
        **_questions(),
    }
    if errors:
        context["errors"] = errors
    return render(request, "survey/form.html", context, block=block)


@get("/events/{event_id:int}/survey", name="survey.form", **EVENT_ROUTE)
async def survey_form(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
    access.require(service.may_read(access))
    return await _page(request, access)


@post("/events/{event_id:int}/survey", name="survey.save", **EVENT_ROUTE)
async def survey_save(
    request: Request[Any, Any, Any], access: EventAccess, data: Form
) -> Response[Any]:
    access.require(service.may_edit(access))
    answers = forms.parse(data)
    errors = forms.validate(answers)
    if errors:
        return await _page(request, access, answers=answers, errors=errors, block="survey_form")
    await service.save(access.event.id, current_user(request).id, answers)
    return redirect(
        request, with_banner(request, f"/events/{access.event.id}", service.SAVED_BANNER)
    )


@post("/events/{event_id:int}/survey/validate", name="survey.validate", **EVENT_ROUTE)
async def survey_validate(
    request: Request[Any, Any, Any], access: EventAccess, data: Form
) -> Response[Any]:
    """Checks the activity menus as they are chosen (htmx); stores nothing. Without
    htmx (not reachable from the page, but a POST is a POST) it shows the whole form."""
    access.require(service.may_edit(access))
    answers = forms.parse(data)
    errors = forms.activity_errors(answers)
    return await _page(
        request, access, answers=answers, errors=errors, block="activities", announce=True
    )


@get("/admin/surveys", name="survey.admin", guards=[role("admin")])
async def admin_surveys(request: Request[Any, Any, Any], page: int = 1) -> Response[Any]:
    results = await service.responses_page(page)
    if results is None:
        raise NotFoundException()
    return render(
        request,
        "survey/admin.html",
        {"summary": await service.summary(), "results": results, **_questions()},
    )


@get("/admin/surveys.csv", name="survey.admin_csv", guards=[role("admin")])
async def admin_surveys_csv() -> Response[str]:
    name = f"survey-responses-{date.today().isoformat()}.csv"
    return Response(
        await service.responses_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


route_handlers = [survey_form, survey_save, survey_validate, admin_surveys, admin_surveys_csv]

# Until this feature declares its own Router (issue 12): its handlers, as they are.
router = Router(path="/", route_handlers=route_handlers)
