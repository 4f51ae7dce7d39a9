"""Survey rules and queries: one response per event, filled and changed by the
provider's users until the event is closed; inspectors learn only whether it was
submitted; the support administrator reads every response and a summary."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal import audit, clock
from portal.db.prepared import Param, Prepared
from portal.receipts.api import record as record_submission
from portal.spreadsheet import to_csv
from portal.survey.forms import Answers, activity_label
from portal.survey.questions import ACTIVITIES, ACTIVITY_FIELDS, LEAST, MOST, RATINGS, STATEMENTS
from portal.survey.tables import SurveyResponse
from portal.web.access import EventAccess
from portal.web.paging import PAGE_SIZE, Page
from portal.web.tasks import FormLink

SAVED_BANNER = "Your survey answers have been saved"
CLOSED = "This inspection has been closed, so your changes to the survey were not saved."


def may_read(access: EventAccess) -> bool:
    """The provider's users and the support administrator; never the inspectors."""
    return access.is_provider or access.is_admin


def may_answer(access: EventAccess) -> bool:
    """Only the provider's users answer (anyone else is refused, 403)."""
    return access.is_provider


def editable(access: EventAccess) -> bool:
    """The answers can change until the event is closed; after that the survey is done."""
    return may_answer(access) and not access.closed


@dataclass
class Response:
    event_id: int
    answers: Answers
    submitted: bool
    saved_at: datetime
    saved_by_name: str
    extra: dict[str, Any] = field(default_factory=dict)


def _ratings(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        value = json.loads(value or "{}")
    # Only statements still asked: a retired key is ignored, not shown.
    return {k: v for k, v in (value or {}).items() if k in STATEMENTS and v in RATINGS}


def _answers(row: dict[str, Any]) -> Answers:
    return Answers(
        ratings=_ratings(row["ratings"]),
        activities={name: row[name] if row[name] in ACTIVITIES else "" for name in ACTIVITY_FIELDS},
        why=row["why"],
        improve=row["improve"],
    )


COLUMNS = (
    SurveyResponse.event,
    SurveyResponse.ratings,
    *(getattr(SurveyResponse, name) for name in ACTIVITY_FIELDS),
    SurveyResponse.why,
    SurveyResponse.improve,
    SurveyResponse.submitted,
    SurveyResponse.saved_at,
    SurveyResponse.saved_by.display_name.as_alias("saved_by_name"),
)


def _saved_by(row: dict[str, Any]) -> str:
    return row["saved_by_name"] or "a former user"


def _response(row: dict[str, Any]) -> Response:
    return Response(
        event_id=row["event"],
        answers=_answers(row),
        submitted=row["submitted"],
        saved_at=row["saved_at"],
        saved_by_name=_saved_by(row),
    )


_RESPONSE = Prepared(SurveyResponse.select(*COLUMNS).where(SurveyResponse.event == Param("event")))


async def response_for(event_id: int) -> Response | None:
    row = await _RESPONSE.first(event=event_id)
    return None if row is None else _response(row)


async def save(
    event_id: int, user_id: int, answers: Answers, at: datetime | None = None
) -> str | None:
    """Store the answers as they are now (every field optional): the event's one
    response is created or replaced, atomically, even if two colleagues save at once.
    A save with answers is a submission: its reference (portal.receipts), else None."""
    at = at or clock.now()
    values = {
        SurveyResponse.ratings: json.dumps(answers.ratings, sort_keys=True),
        **{getattr(SurveyResponse, n): answers.activities.get(n, "") for n in ACTIVITY_FIELDS},
        SurveyResponse.why: answers.why,
        SurveyResponse.improve: answers.improve,
        SurveyResponse.submitted: answers.answered,
        SurveyResponse.saved_by: user_id,
        SurveyResponse.saved_at: at,
    }
    row = SurveyResponse(event=event_id, **{column._meta.name: v for column, v in values.items()})
    chosen = sum(1 for name in ACTIVITY_FIELDS if answers.activities.get(name))
    async with SurveyResponse._meta.db.transaction():
        await SurveyResponse.insert(row).on_conflict(
            target=SurveyResponse.event, action="DO UPDATE", values=list(values)
        )
        await audit.record(
            "survey saved",
            actor=user_id,
            event=event_id,
            detail=(
                f"{len(answers.ratings)} of {len(STATEMENTS)} statements rated, "
                f"{chosen} activities chosen, why: {'yes' if answers.why else 'no'}, "
                f"improve: {'yes' if answers.improve else 'no'}"
            ),
        )
        if not answers.answered:
            return None
        # What the team may know of it: that it was sent, by whom, when; not the answers.
        return await record_submission(event_id, user_id, "survey", "Survey answers saved", at=at)


async def form_link(access: EventAccess, href: str) -> FormLink:
    """The profile's 'Forms' entry, linking to `href` (the survey page, from the caller).
    Providers see their own progress; inspectors and the administrator only whether it
    was submitted (inspectors get no link at all: the answers are not theirs to read)."""
    response = await response_for(access.event.id)
    if access.is_provider:
        if response is None:
            return FormLink(
                title="Survey",
                href=href,
                status="Closed" if access.closed else "Optional",
                tag_colour="grey" if access.closed else "blue",
                hint="Tell us what you thought of the inspection.",
            )
        return FormLink(
            title="Survey",
            href=href,
            status=f"Saved on {clock.format_date(response.saved_at)}",
            tag_colour="green",
            hint=f"Last saved by {response.saved_by_name}.",
        )
    submitted = response is not None and response.submitted
    return FormLink(
        title="Survey",
        href=href if access.is_admin else "",
        status="Submitted" if submitted else "Not submitted",
        tag_colour="green" if submitted else "grey",
        hint="The provider's optional feedback on the inspection."
        if access.is_admin
        else "The provider's optional feedback. Inspectors cannot see the answers.",
    )


# The support administrator's view across events.


@dataclass
class Summary:
    responses: int
    # statement key → rating key → count (unanswered counted under "")
    ratings: dict[str, dict[str, int]]
    # activity key → {"most": n, "least": n}
    activities: dict[str, dict[str, int]]


def _submitted_query(*columns: Any) -> Any:
    return SurveyResponse.select(*columns).where(SurveyResponse.submitted == True)  # noqa: E712


async def summary() -> Summary:
    rows = await _submitted_query(
        SurveyResponse.ratings, *(getattr(SurveyResponse, n) for n in ACTIVITY_FIELDS)
    )
    ratings = {key: {rating: 0 for rating in [*RATINGS, ""]} for key in STATEMENTS}
    activities = {key: {"most": 0, "least": 0} for key in ACTIVITIES}
    for row in rows:
        given = _ratings(row["ratings"])
        for key in STATEMENTS:
            ratings[key][given.get(key, "")] += 1
        for names, side in ((MOST, "most"), (LEAST, "least")):
            for name in names:
                if row[name] in activities:
                    activities[row[name]][side] += 1
    return Summary(responses=len(rows), ratings=ratings, activities=activities)


LIST_COLUMNS = (
    *COLUMNS,
    SurveyResponse.event.event_ref.as_alias("event_ref"),
    SurveyResponse.event.event_type.as_alias("event_type"),
    SurveyResponse.event.provider.name.as_alias("provider_name"),
    SurveyResponse.event.provider.urn.as_alias("urn"),
)


async def responses_page(number: int) -> Page:
    """One page of submitted responses, most recently saved first."""
    total = await SurveyResponse.count().where(SurveyResponse.submitted == True)  # noqa: E712
    number = Page.clamp(number, total)
    rows = await (
        _submitted_query(*LIST_COLUMNS)
        .order_by(SurveyResponse.saved_at, ascending=False)
        .order_by(SurveyResponse.id, ascending=False)
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    )
    items = [{**row, "saved_by_name": _saved_by(row)} for row in rows]
    return Page(items=items, number=number, total=total)


CSV_HEADER = [
    "Event ID",
    "Provider",
    "URN",
    "Last saved by",
    "Last saved",
    *STATEMENTS.values(),
    *(activity_label(name) for name in ACTIVITY_FIELDS),
    "Why these activities were the most or least useful",
    "How the inspection could be improved",
]


def csv_name() -> str:
    return f"survey-responses-{clock.today().isoformat()}.csv"


async def responses_csv() -> str:
    """Every submitted response, one row each, oldest event first (portal.spreadsheet:
    UTF-8 with a BOM, no cell run as a formula)."""
    rows = await _submitted_query(*LIST_COLUMNS).order_by(SurveyResponse.event)
    return to_csv(CSV_HEADER, [_csv_row(row) for row in rows])


def _csv_row(row: dict[str, Any]) -> list[str]:
    answers = _answers(row)
    return [
        row["event_ref"],
        row["provider_name"],
        row["urn"],
        row["saved_by_name"] or "",
        clock.format_datetime(row["saved_at"]),
        *(RATINGS.get(answers.ratings.get(key, ""), "") for key in STATEMENTS),
        *(ACTIVITIES.get(answers.activities[name], "") for name in ACTIVITY_FIELDS),
        answers.why,
        answers.improve,
    ]
