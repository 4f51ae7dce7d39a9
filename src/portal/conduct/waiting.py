"""What is waiting under the code of conduct, for the event lists and the admin's
'Waiting' page: read for many events at once (a fixed number of queries)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.query.functions.aggregate import Count

from portal.conduct.tables import Concern, EvidenceConfirmation
from portal.db.tables import TeamMember


@dataclass(frozen=True)
class OpenItems:
    """An event's concerns without a response and evidence requests without an answer."""

    concerns: int = 0
    evidence_requests: int = 0


async def _open_counts(table: Any, done: Any, event_ids: list[int]) -> dict[int, int]:
    rows = await (
        table.select(table.event, Count(table.id, alias="open"))
        .where(table.event.is_in(event_ids) & done.is_null())
        .group_by(table.event)
    )
    return {row["event"]: row["open"] for row in rows}


async def open_items(event_ids: list[int]) -> dict[int, OpenItems]:
    """Open items by event id (events with none are left out): two queries, whatever
    the number of events (none for no events)."""
    if not event_ids:
        return {}
    concerns = await _open_counts(Concern, Concern.responded_at, event_ids)
    evidence = await _open_counts(EvidenceConfirmation, EvidenceConfirmation.answered_at, event_ids)
    return {
        event_id: OpenItems(concerns.get(event_id, 0), evidence.get(event_id, 0))
        for event_id in concerns.keys() | evidence.keys()
    }


async def concerns_without_lead(limit: int = 200) -> list[dict[str, Any]]:
    """Unanswered concerns on open events that have no lead inspector (so nobody can
    answer them), oldest first: for the administrator, who can add a lead."""
    with_lead = TeamMember.select(TeamMember.event).where(TeamMember.team_role == "lead")
    return await (
        Concern.select(
            Concern.id,
            Concern.raised_at,
            Concern.text,
            Concern.event.id.as_alias("event_id"),
            Concern.event.event_ref.as_alias("event_ref"),
            Concern.event.provider.name.as_alias("provider_name"),
            Concern.raised_by.display_name.as_alias("raised_by_name"),
        )
        .where(
            Concern.responded_at.is_null()
            & (Concern.event.status != "closed")
            & Concern.event.not_in(with_lead)
        )
        .order_by(Concern.raised_at)
        .order_by(Concern.id)
        .limit(limit)
    )
