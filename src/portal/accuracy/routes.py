"""The factual accuracy check page: one URL, the form or its view-only state.

GET shows what this user may see now. POST (providers only) saves ('Save and come back
later', or htmx saving as you type) or completes ('Done'). Once completed, or closed by
the deadline or the event, a POST changes nothing: the view-only page (the block for
htmx) with a message saying so (`render.already_done`)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Response

from portal.accuracy import forms, service
from portal.receipts.api import latest_reference
from portal.validation import Parsed
from portal.web.access import EventAccess
from portal.web.render import already_done, redirect, render, wants_fragment
from portal.web.routing import Form, event_router

PAGE = "accuracy/check.html"
BLOCK = "accuracy_check"
REGION = "#accuracy-check"  # the element BLOCK renders
AUTOSAVE_BLOCK = "autosave_status"


def _url(request: Request[Any, Any, Any], access: EventAccess) -> str:
    return request.app.route_reverse("accuracy.form", event_id=access.event.id)


async def _context(state: service.CheckState, **extra: Any) -> dict[str, Any]:
    access = state.access
    return {
        "access": access,
        "event": access.event,
        "provider_name": access.provider_name,
        "state": state,
        "check": state.check,
        "values": extra.pop("values", None) or state.answers,
        "errors": extra.pop("errors", {}),
        "draft_report": await service.draft_report(access.event.id, state.check),
        "completed_by": await service.completed_by_name(state.check),
        # The completed check's reference, to quote (its receipt: 'Activity and receipts').
        "reference": (
            await latest_reference(access.event.id, "accuracy") if state.completed else None
        ),
        "answers_labels": forms.ANSWERS,
        "question": forms.QUESTION,
        "confirmation": forms.CONFIRMATION,
        "max_comments": forms.MAX_COMMENTS,
        "form_version": state.check.version if state.check else 0,
        **extra,
    }


@get("/", name="accuracy.form")
async def show(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
    state = await service.state(access)
    saved = request.query_params.get("saved") == "1" and state.editable
    return render(request, PAGE, await _context(state, saved=saved), block=BLOCK)


@post("/", name="accuracy.submit")
async def submit(request: Request[Any, Any, Any], access: EventAccess, data: Form) -> Response[Any]:
    access.require(access.is_provider)
    state = await service.state(access)
    if not state.editable:
        return await _already_done(request, state)
    action = data.get("action", "save")
    parsed = forms.parse(data)
    seen = forms.seen_version(data)
    if action == "autosave":
        return await _autosave(request, state, parsed, seen)
    errors = parsed.errors
    if action == "done" and not errors:
        errors = forms.done_errors(parsed.values)
        if not errors:
            return await _done(request, state, parsed.values, seen)

    # 'Save and come back later', or a 'Done' that is not ready: what was typed is kept.
    if not parsed.errors:
        how = "Done pressed" if action == "done" else "Save and come back later"
        outcome = await service.save(state, parsed.values, how=how, seen_version=seen)
        if outcome == service.CLOSED:
            return await _already_done(request, await service.state(access))
        if outcome == service.OVERLAP:
            return await _overlap(request, access, parsed.values)
    if errors:
        state = await service.state(access)
        context = await _context(state, values=parsed.values, errors=errors)
        return render(request, PAGE, context, block=BLOCK)
    if not wants_fragment(request):
        return redirect(request, f"{_url(request, access)}?saved=1")
    state = await service.state(access)
    return render(request, PAGE, await _context(state, saved=True), block=BLOCK)


async def _autosave(
    request: Request[Any, Any, Any],
    state: service.CheckState,
    parsed: Parsed[forms.Answers],
    seen: int | None,
) -> Response[Any]:
    """Saving as you type: htmx swaps the status line under the form."""
    access = state.access
    extra: dict[str, Any] = {"autosave_error": parsed.errors}
    if parsed.ok:
        outcome = await service.save(
            state, parsed.values, how="saved as you type", seen_version=seen
        )
        state = await service.state(access)  # the version and time just saved
        if outcome == service.CLOSED:
            return await _already_done(request, state)
        if outcome == service.OVERLAP:
            # The form keeps the version it showed, so typing on cannot overwrite the
            # colleague's answers either: saving with the button shows them first.
            found = await service.overlap(state)
            extra = {
                "autosave_error": {"comments": forms.overlap_short(found)},
                "form_version": seen,
            }
    context = await _context(state, values=parsed.values, **extra)
    if wants_fragment(request):
        return render(request, PAGE, context, block=AUTOSAVE_BLOCK)
    return render(request, PAGE, {**context, "errors": parsed.errors}, block=BLOCK)


async def _done(
    request: Request[Any, Any, Any],
    state: service.CheckState,
    answers: forms.Answers,
    seen: int | None,
) -> Response[Any]:
    """'Done' with complete answers: saved and completed at once, then view only."""
    access = state.access
    url = _url(request, access)
    outcome = await service.complete(state, answers, seen_version=seen)
    if outcome == service.CLOSED:
        return await _already_done(request, await service.state(access))
    if outcome == service.OVERLAP:
        return await _overlap(request, access, answers)
    if not wants_fragment(request):
        return redirect(request, url)
    state = await service.state(access)
    return render(request, PAGE, await _context(state, just_completed=True), block=BLOCK)


async def _overlap(
    request: Request[Any, Any, Any], access: EventAccess, answers: forms.Answers
) -> Response[Any]:
    """A colleague saved after this page was shown: nothing was written. The form again,
    with this user's answers kept, the colleague's shown beside them, and the version
    they now see: saving again is then a choice made knowing both."""
    state = await service.state(access)
    found = await service.overlap(state)
    errors = {forms.OVERLAP_FIELD: forms.overlap_message(found)}
    context = await _context(state, values=answers, errors=errors, overlap=found)
    return render(request, PAGE, context, block=BLOCK)


async def _already_done(
    request: Request[Any, Any, Any], state: service.CheckState
) -> Response[Any]:
    """The check can no longer change: nothing is written; the page as it now is, view
    only, saying why. Saving as you type targets the status line under the form: the
    view-only block replaces the whole form instead."""
    response = already_done(
        request, PAGE, await _context(state), block=BLOCK, message=state.already_done
    )
    if wants_fragment(request):
        response.headers.update({"HX-Retarget": REGION, "HX-Reswap": "outerHTML"})
    return response


router = event_router("/accuracy-check", [show, submit])
