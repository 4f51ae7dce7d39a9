"""The administrator's changes that the provider is told of: the Ofsted team of their
event (a member added, changed or removed). Queued inside the change's transaction."""

from __future__ import annotations

from portal import links, notify


async def team_changed(event_id: int, change: str) -> None:
    """`change`: one sentence, e.g. "Jane Smith has joined the team as lead inspector"."""
    try:
        await notify.send_about(
            event_id,
            "team_changed",
            to=await notify.provider_users(event_id),
            change=change,
            link=links.url("events.profile", event_id=event_id, anchor="ofsted-team"),
        )
    except notify.NoSuchEvent:
        return  # no such event: no one to tell
