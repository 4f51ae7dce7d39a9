"""Reads of the core tables that several parts show alike: an event as lists show it,
and an event's Ofsted team."""

from __future__ import annotations

from typing import Any

from portal.db.prepared import Param, Prepared
from portal.db.tables import Event, TeamMember

# An event as lists show it (the event lists and the admin console).
EVENT_COLUMNS = (
    Event.id,
    Event.event_ref,
    Event.event_type,
    Event.start_date,
    Event.end_date,
    Event.status,
    Event.provider.id.as_alias("provider_id"),
    Event.provider.name.as_alias("provider_name"),
    Event.provider.urn.as_alias("provider_urn"),
)


_TEAM = Prepared(
    TeamMember.select(
        TeamMember.id,
        TeamMember.team_role,
        TeamMember.pen_portrait,
        TeamMember.user.display_name.as_alias("name"),
        TeamMember.user.id.as_alias("user_id"),
        TeamMember.user.username.as_alias("username"),  # for the admin console
    )
    .where(TeamMember.event == Param("event"))
    .order_by(TeamMember.id)
)


async def team_of(event_id: int) -> list[dict[str, Any]]:
    """The event's Ofsted team, the lead inspector first, as the team is introduced on the day."""
    rows = await _TEAM.rows(event=event_id)
    return sorted(rows, key=lambda row: row["team_role"] != "lead")
