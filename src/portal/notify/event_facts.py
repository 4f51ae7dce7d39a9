"""What every message about an event says of it: its ID, type and provider."""

from __future__ import annotations

from portal.db.reads import EVENT_COLUMNS
from portal.db.tables import Event


class NoSuchEvent(LookupError):
    """A message about an event that is not (or no longer) there."""


async def event_facts(event_id: int) -> dict[str, str]:
    """The event's `event_ref`, `event_type` and `provider_name`, as templates name them."""
    row = await Event.select(*EVENT_COLUMNS).where(Event.id == event_id).first()
    if row is None:
        raise NoSuchEvent(f"no event {event_id}")
    return {
        "event_ref": row["event_ref"],
        "event_type": row["event_type"],
        "provider_name": row["provider_name"],
    }
