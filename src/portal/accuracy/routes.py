"""The factual accuracy check page: one URL, the form or its view-only state.

GET shows what this user may see now. POST (providers only) saves ('Save and come back
later', or htmx saving as you type) or completes ('Done'). Once completed, or closed by
the deadline or the event, any POST changes nothing and answers 409 with the view-only
page (the fragment for htmx)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Router, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response

from portal.accuracy import forms, service
from portal.web.access import EventAccess, provide_event_access
from portal.web.guards import signed_in
from portal.web.render import redirect, render, wants_fragment

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]

PAGE = "accuracy/check.html"
BLOCK = "accuracy_check"
AUTOSAVE_BLOCK = "autosave_status"


def url_for(event_id: int) -> str:
    return f"/events/{event_id}/accuracy-check"


async def _context(
    request: Request[Any, Any, Any], access: EventAccess, state: service.CheckState, **extra: Any
) -> dict[str, Any]:
    provider_name = await _provider_name(access)
    values = extra.pop("values", None) or state.answers
    return {
        "access": access,
        "event": access.event,
        "provider_name": provider_name,
        "state": state,
        "check": state.check,
        "values": values,
        "errors": extra.pop("errors", {}),
        "draft_report": await service.draft_report(access.event.id),
        "completed_by": await service.completed_by_name(state.check),
        "answers_labels": forms.ANSWERS,
        "question": forms.QUESTION,
        "confirmation": forms.CONFIRMATION,
        "max_comments": forms.MAX_COMMENTS,
        "form_url": url_for(access.event.id),
        "form_version": state.check.version if state.check else 0,
        **extra,
    }


async def _provider_name(access: EventAccess) -> str:
    from portal.db.tables import Provider

    row = await Provider.select(Provider.name).where(Provider.id == access.event.provider).first()
    return row["name"] if row else ""


@get(
    "/events/{event_id:int}/accuracy-check",
    name="accuracy.form",
    guards=[signed_in],
    dependencies={"access": Provide(provide_event_access)},
)
async def show(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
    state = await service.state(access)
    saved = request.query_params.get("saved") == "1" and state.editable
    return render(request, PAGE, await _context(request, access, state, saved=saved), block=BLOCK)


@post(
    "/events/{event_id:int}/accuracy-check",
    name="accuracy.submit",
    guards=[signed_in],
    dependencies={"access": Provide(provide_event_access)},
)
async def submit(request: Request[Any, Any, Any], access: EventAccess, data: Form) -> Response[Any]:
    access.require(access.is_provider)
    action = data.get("action", "save")
    state = await service.state(access)
    if not state.editable:
        return await _conflict(request, access, action)

    answers = forms.parse(data)
    seen = forms.seen_version(data)
    errors = forms.length_errors(answers)
    if action == "autosave":
        outcome = service.SAVED
        if not errors:
            outcome = await service.save(
                access, answers, how="saved as you type", seen_version=seen
            )
        if outcome == service.CLOSED:
            return await _conflict(request, access, action)
        state = await service.state(access)
        extra: dict[str, Any] = {"autosave_error": errors}
        if outcome == service.OVERLAP:
            # The form keeps the version it showed, so typing on cannot overwrite the
            # colleague's answers either: saving with the button shows them first.
            found = await service.overlap(state)
            extra = {
                "autosave_error": {"comments": forms.overlap_short(found)},
                "form_version": seen,
            }
        context = await _context(request, access, state, values=answers, **extra)
        if wants_fragment(request):
            return render(request, PAGE, context, block=AUTOSAVE_BLOCK)
        return render(request, PAGE, {**context, "errors": errors}, block=BLOCK)

    if not errors:
        # Whatever else happens, what was typed is kept (a failed 'Done' included).
        how = "Done pressed" if action == "done" else "Save and come back later"
        outcome = await service.save(access, answers, how=how, seen_version=seen)
        if outcome == service.CLOSED:
            return await _conflict(request, access, action)
        if outcome == service.OVERLAP:
            return await _overlap(request, access, answers)
    if action == "done" and not errors:
        errors = forms.done_errors(answers)
    if errors:
        state = await service.state(access)
        context = await _context(request, access, state, values=answers, errors=errors)
        return render(request, PAGE, context, block=BLOCK)

    if action == "done":
        settings = request.app.state.settings
        saved = await service.state(access)  # the answers just saved, at their version
        outcome = await service.complete(
            access,
            answers,
            base_url=settings.base_url,
            seen_version=saved.check.version if saved.check else None,
        )
        if outcome == service.CLOSED:
            return await _conflict(request, access, action)
        if outcome == service.OVERLAP:
            return await _overlap(request, access, answers)
        if not wants_fragment(request):
            return redirect(request, url_for(access.event.id))
        state = await service.state(access)
        context = await _context(request, access, state, just_completed=True)
        return render(request, PAGE, context, block=BLOCK)

    if not wants_fragment(request):
        return redirect(request, f"{url_for(access.event.id)}?saved=1")
    state = await service.state(access)
    return render(request, PAGE, await _context(request, access, state, saved=True), block=BLOCK)


async def _overlap(
    request: Request[Any, Any, Any], access: EventAccess, answers: forms.Answers
) -> Response[Any]:
    """A colleague saved after this page was shown: nothing was written. The form again,
    with this user's answers kept, the colleague's shown beside them, and the version
    they now see: saving again is then a choice made knowing both."""
    state = await service.state(access)
    found = await service.overlap(state)
    errors = {forms.OVERLAP_FIELD: forms.overlap_message(found)}
    context = await _context(request, access, state, values=answers, errors=errors, overlap=found)
    return render(request, PAGE, context, block=BLOCK)


async def _conflict(
    request: Request[Any, Any, Any], access: EventAccess, action: str
) -> Response[Any]:
    """The check can no longer change: nothing is written; the page as it now is, 409."""
    state = await service.state(access)
    context = await _context(request, access, state, conflict=True)
    return render(request, PAGE, context, block=BLOCK, status_code=409)


route_handlers = [show, submit]

# Until this feature declares its own Router (issue 12): its handlers, as they are.
router = Router(path="/", route_handlers=route_handlers)
