"""The administrator's corrections to an event: its type and visit dates, and reopening
a closed event. Each change is audited with what it was and what it is now; the event's
triggers raise its version, so its kept pages (the profile) show the change at once.
No Litestar here."""

from __future__ import annotations

from datetime import date

from portal import audit
from portal.clock import format_date_range
from portal.db.tables import EVENT_TYPES, Event
from portal.validation import Refused


async def update_event(
    event_id: int, *, event_type: str, start_date: date, end_date: date, actor_id: int | None
) -> bool:
    """Change an open event's type and dates. False when nothing changed (nothing
    written or audited). A closed event is refused: reopen it first."""
    if event_type not in EVENT_TYPES:
        raise Refused("Select the type of event", "event_type")
    if end_date < start_date:
        raise Refused("The end date must be the same as or after the start date", "end-day")
    row = await Event.objects().where(Event.id == event_id).first()
    if row is None:
        raise LookupError(event_id)
    if row.status == "closed":
        raise Refused("This event is closed: reopen it to change it")
    changes = []
    if row.event_type != event_type:
        changes.append(
            f"type {EVENT_TYPES.get(row.event_type, row.event_type)} → {EVENT_TYPES[event_type]}"
        )
    if (row.start_date, row.end_date) != (start_date, end_date):
        before = format_date_range(row.start_date, row.end_date)
        changes.append(f"dates {before} → {format_date_range(start_date, end_date)}")
    if not changes:
        return False
    await Event.update(
        {Event.event_type: event_type, Event.start_date: start_date, Event.end_date: end_date}
    ).where((Event.id == event_id) & (Event.status != "closed"))
    await audit.record(
        "event changed",
        actor=actor_id,
        event=event_id,
        detail=f"{row.event_ref}: " + "; ".join(changes),
    )
    return True


async def reopen_event(event_id: int, actor_id: int | None) -> bool:
    """A closed event is open again: its pages can be changed as before. False if it
    was open already."""
    updated = await (
        Event.update({Event.status: "open"})
        .where((Event.id == event_id) & (Event.status == "closed"))
        .returning(Event.id)
    )
    if not updated:
        return False
    await audit.record("event reopened", actor=actor_id, event=event_id)
    return True
