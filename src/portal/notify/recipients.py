"""Who a message goes to: active users with an email address, each once, in id order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.db.tables import Event, TeamMember, User


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str


def _recipients(rows: list[dict[str, Any]]) -> list[Recipient]:
    found: dict[str, Recipient] = {}
    for row in rows:
        email = (row["email"] or "").strip()
        if email and email.lower() not in found:
            found[email.lower()] = Recipient(email=email, name=row["display_name"])
    return list(found.values())


async def provider_users(event_id: int) -> list[Recipient]:
    """The active provider users of the event's provider."""
    event = await Event.select(Event.provider).where(Event.id == event_id).first()
    if event is None:
        return []
    rows = await (
        User.select(User.email, User.display_name)
        .where(
            (User.role == "provider")
            & (User.active.eq(True))
            & (User.provider == event["provider"])
        )
        .order_by(User.id)
    )
    return _recipients(rows)


async def lead_inspectors(event_id: int) -> list[Recipient]:
    """The event's active lead inspector (the team may, for a while, have none)."""
    rows = await (
        TeamMember.select(TeamMember.user.email, TeamMember.user.display_name)
        .where(
            (TeamMember.event == event_id)
            & (TeamMember.team_role == "lead")
            & (TeamMember.user.active.eq(True))
        )
        .order_by(TeamMember.user.id)
        .output(nested=False)
    )
    return _recipients([_flat(row) for row in rows])


async def support_admins() -> list[Recipient]:
    """The active support administrators."""
    rows = await (
        User.select(User.email, User.display_name)
        .where((User.role == "admin") & (User.active.eq(True)))
        .order_by(User.id)
    )
    return _recipients(rows)


async def user(user_id: int) -> list[Recipient]:
    """That one user, if active (an empty list otherwise)."""
    rows = await User.select(User.email, User.display_name).where(
        (User.id == user_id) & (User.active.eq(True))
    )
    return _recipients(rows)


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """A joined row's keys ('user.email') as a plain row's ('email')."""
    return {key.rpartition(".")[2]: value for key, value in row.items()}
