"""Event lists and the profile page's content. No Litestar here: rules and queries only."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portal.db.prepared import Param, Prepared
from portal.db.reads import EVENT_COLUMNS, team_of
from portal.db.tables import Document, Event, Provider, TeamMember, User
from portal.web.access import EventAccess


def timing(event: dict[str, Any], today: date) -> str:
    if event["end_date"] < today:
        return "past"
    if event["start_date"] > today:
        return "upcoming"
    return "current"


async def events_for(user: User) -> list[dict[str, Any]]:
    """The events a provider user or an inspector may open, newest first. A provider's
    are read in order off event_provider_start_date_idx; an inspector's found through
    team_member's index on user, each by its key (only their own are sorted, not the table)."""
    query = (
        Event.select(*EVENT_COLUMNS)
        .order_by(Event.start_date, ascending=False)
        .order_by(Event.id, ascending=False)
    )
    if user.role == "provider":
        query = query.where(Event.provider == user.provider)
    elif user.role == "inspector":
        member_of = TeamMember.select(TeamMember.event).where(TeamMember.user == user.id)
        query = query.where(Event.id.is_in(member_of))
    else:
        return []
    return await query


@dataclass
class Profile:
    access: EventAccess
    provider: Provider
    team: list[dict[str, Any]]
    ofsted_documents: list[dict[str, Any]]
    provider_documents: list[dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)


_LIVE_DOCUMENTS = Prepared(
    Document.select(
        Document.id,
        Document.side,
        Document.kind,
        Document.file_name,
        Document.size,
        Document.sha256,
        Document.saved_at,
        Document.uploaded_at,
        Document.uploaded_by.display_name.as_alias("uploaded_by_name"),
        Document.state,
        Document.version,
        Document.superseded_at,
    )
    .where(
        (Document.event == Param("event"))
        & (Document.state.is_in(["live", "pending_delete", "superseded"]))
    )
    .order_by(Document.saved_at, ascending=False)
)


async def live_documents(event_id: int) -> dict[str, list[dict[str, Any]]]:
    """Both sides' saved documents, newest first, in one query; a published report's
    earlier versions among them, superseded (kept as records)."""
    rows = await _LIVE_DOCUMENTS.rows(event=event_id)
    sides: dict[str, list[dict[str, Any]]] = {"ofsted": [], "provider": []}
    for row in rows:
        sides[row["side"]].append(row)
    return sides


async def profile(access: EventAccess) -> Profile:
    event = access.event
    team, documents = await asyncio.gather(team_of(event.id), live_documents(event.id))
    return Profile(
        access=access,
        provider=access.provider,
        team=team,
        ofsted_documents=documents["ofsted"],
        provider_documents=documents["provider"],
    )
