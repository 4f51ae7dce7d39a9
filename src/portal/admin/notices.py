"""The administrator's changes that the provider is told of: the Ofsted team of their
event (a member added, changed or removed). Queued inside the change's transaction."""

from __future__ import annotations

from portal import links, notify
from portal.db.reads import EVENT_COLUMNS
from portal.db.tables import Event


async def team_changed(event_id: int, change: str) -> None:
    """`change`: one sentence, e.g. "Jane Smith has joined the team as lead inspector"."""
    row = await Event.select(*EVENT_COLUMNS).where(Event.id == event_id).first()
    if row is None:
        return
    await notify.send(
        "team_changed",
        to=await notify.provider_users(event_id),
        change=change,
        event_ref=row["event_ref"],
        event_type=row["event_type"],
        provider_name=row["provider_name"],
        link=links.url("events.profile", event_id=event_id, anchor="ofsted-team"),
    )
