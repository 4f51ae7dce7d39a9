"""What needs doing next on each listed event: its status tags and its next deadline,
for the provider's "Your inspections" and the inspector's list. Read for all the listed
events at once through the features' public faces (three queries, whatever the count)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal import clock
from portal.accuracy.api import CheckDue, checks_of, working_days_left
from portal.conduct.api import OpenItems, open_items

NEAR = 2  # working days: a check due this soon says how soon


@dataclass(frozen=True)
class Tag:
    text: str
    colour: str  # a GOV.UK tag modifier: govuk-tag--<colour>


@dataclass(frozen=True)
class Waiting:
    """What an event's card shows: tags (none: nothing is waiting) and the next deadline."""

    tags: list[Tag] = field(default_factory=list)
    deadline: str = ""  # "5pm on Friday 4 December 2026", or "" when none


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else f"{count} {many}"


def _check_tag(check: CheckDue, now: datetime) -> Tag:
    if check.completed:
        return Tag("Check completed", "green")
    if not check.open_at(now):
        return Tag("Check closed", "grey")
    days = working_days_left(check.due_at, clock.local(now).date())
    if days == 0:
        return Tag("Check due today", "red")
    if days <= NEAR:
        return Tag(f"Check due in {_plural(days, '1 working day', 'working days')}", "orange")
    return Tag("Check open", "blue")


def waiting_for(
    event: dict[str, Any],
    check: CheckDue | None,
    items: OpenItems,
    *,
    provider_view: bool,
    now: datetime,
) -> Waiting:
    """The tags and next deadline of one event, from what was read for all of them.
    The provider is told what they must do (evidence to confirm) and what they wait for
    (a concern open); the inspector what waits on the team or on the provider."""
    if event["status"] == "closed":
        return Waiting([Tag("Closed", "grey")])
    tags: list[Tag] = []
    deadline = ""
    if check is not None:
        tags.append(_check_tag(check, now))
        if check.open_at(now):
            deadline = clock.format_deadline(check.due_at)
    if items.concerns:
        text = _plural(items.concerns, "Concern open", "concerns open")
        tags.append(Tag(text, "yellow" if provider_view else "red"))
    if items.evidence_requests:
        if provider_view:
            tags.append(Tag("Evidence to confirm", "red"))
        else:
            text = _plural(
                items.evidence_requests,
                "Evidence request unanswered",
                "evidence requests unanswered",
            )
            tags.append(Tag(text, "yellow"))
    return Waiting(tags, deadline)


async def waiting(
    events: list[dict[str, Any]], *, provider_view: bool, now: datetime | None = None
) -> dict[int, Waiting]:
    """Each listed event's tags and next deadline, by event id."""
    now = now or clock.now()
    ids = [event["id"] for event in events]
    checks, items = await asyncio.gather(checks_of(ids), open_items(ids))
    return {
        event["id"]: waiting_for(
            event,
            checks.get(event["id"]),
            items.get(event["id"], OpenItems()),
            provider_view=provider_view,
            now=now,
        )
        for event in events
    }
