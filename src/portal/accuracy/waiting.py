"""What is waiting on factual accuracy checks, for the event lists and the admin's
'Waiting' page: read for many events at once (one query, never one per event)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal import clock
from portal.accuracy.tables import AccuracyCheck

NEAR_WORKING_DAYS = 2  # "near its deadline": due within this many working days


@dataclass(frozen=True)
class CheckDue:
    """One event's check as a list shows it."""

    event_id: int
    status: str  # not_started | in_progress | completed
    due_at: datetime  # the deadline in force (the administrator's extension, if any)

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    def open_at(self, now: datetime) -> bool:
        """Still to be done and still possible: not Done, before its deadline."""
        return not self.completed and now <= self.due_at


def working_days_left(due_at: datetime, today: date) -> int:
    """Working days after `today` up to the deadline's day: 0 when it is due today."""
    due_on = clock.local(due_at).date()
    count, day = 0, today
    while day < due_on:
        day = clock.add_working_days(day, 1)
        if day <= due_on:
            count += 1
    return count


def near_deadline_until(now: datetime) -> datetime:
    """The end of the last working day that counts as near: 5pm, NEAR_WORKING_DAYS on."""
    today = clock.local(now).date()
    return clock.end_of_working_day(clock.add_working_days(today, NEAR_WORKING_DAYS))


def _due(row: dict[str, Any]) -> datetime:
    moment = clock.aware(row["extended_due_at"] or row["due_at"])
    assert moment is not None  # due_at is never null
    return moment


async def checks_of(event_ids: list[int]) -> dict[int, CheckDue]:
    """The checks of these events, by event id, in one query (none for no events)."""
    if not event_ids:
        return {}
    rows = await AccuracyCheck.select(
        AccuracyCheck.event,
        AccuracyCheck.status,
        AccuracyCheck.due_at,
        AccuracyCheck.extended_due_at,
    ).where(AccuracyCheck.event.is_in(event_ids))
    return {
        row["event"]: CheckDue(event_id=row["event"], status=row["status"], due_at=_due(row))
        for row in rows
    }


async def checks_near_deadline(
    now: datetime | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Checks not Done on open events whose deadline is still ahead but within
    NEAR_WORKING_DAYS working days, soonest first (for the administrator)."""
    now = now or clock.now()
    until = near_deadline_until(now)
    extended = AccuracyCheck.extended_due_at
    rows = await (
        AccuracyCheck.select(
            AccuracyCheck.event.id.as_alias("event_id"),
            AccuracyCheck.event.event_ref.as_alias("event_ref"),
            AccuracyCheck.event.provider.name.as_alias("provider_name"),
            AccuracyCheck.status,
            AccuracyCheck.due_at,
            extended,
        )
        .where(
            (AccuracyCheck.status != "completed")
            & (AccuracyCheck.event.status != "closed")
            & (
                (
                    extended.is_null()
                    & (AccuracyCheck.due_at > now)
                    & (AccuracyCheck.due_at <= until)
                )
                | (extended.is_not_null() & (extended > now) & (extended <= until))
            )
        )
        .limit(limit)
    )
    for row in rows:
        row["deadline"] = _due(row)
    return sorted(rows, key=lambda row: (row["deadline"], row["event_id"]))
