"""Event lists and the profile page's content. No Litestar here: rules and queries only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

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
    """The events a provider user or an inspector may open, newest first."""
    query = Event.select(*EVENT_COLUMNS).order_by(Event.start_date, ascending=False)
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


async def live_documents(event_id: int, side: str) -> list[dict[str, Any]]:
    return await (
        Document.select(
            Document.id,
            Document.kind,
            Document.file_name,
            Document.size,
            Document.sha256,
            Document.saved_at,
            Document.uploaded_at,
            Document.uploaded_by.display_name.as_alias("uploaded_by_name"),
        )
        .where(
            (Document.event == event_id)
            & (Document.side == side)
            & (Document.state.is_in(["live", "pending_delete"]))
        )
        .order_by(Document.saved_at, ascending=False)
    )


async def profile(access: EventAccess) -> Profile:
    event = access.event
    provider = await Provider.objects().where(Provider.id == event.provider).first()
    assert provider is not None  # a foreign key
    return Profile(
        access=access,
        provider=provider,
        team=await team_of(event.id),
        ofsted_documents=await live_documents(event.id, "ofsted"),
        provider_documents=await live_documents(event.id, "provider"),
    )
