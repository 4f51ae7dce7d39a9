"""What the signed-in user may see and do on one event. Every event route loads it
through `provide_event_access`: another provider's event (or an event an inspector
is not on) is 404, so its existence is not revealed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException, PermissionDeniedException

from portal.db.tables import Event, TeamMember, User
from portal.web.guards import current_user


@dataclass(frozen=True)
class EventAccess:
    event: Event
    user: User
    team_role: str | None  # "lead" | "team" for a member of the Ofsted team

    @property
    def is_provider(self) -> bool:
        return self.user.role == "provider"

    @property
    def is_inspector(self) -> bool:
        return self.team_role is not None

    @property
    def is_lead(self) -> bool:
        return self.team_role == "lead"

    @property
    def is_admin(self) -> bool:
        return self.user.role == "admin"

    @property
    def closed(self) -> bool:
        return self.event.status == "closed"

    @property
    def can_change_provider_documents(self) -> bool:
        return self.is_provider and not self.closed

    @property
    def can_change_ofsted_documents(self) -> bool:
        return self.is_inspector and not self.closed

    def require(self, allowed: bool) -> None:
        """403 for a role that may not do this here (the event itself is visible)."""
        if not allowed:
            raise PermissionDeniedException()


async def load_event_access(user: User, event_id: int) -> EventAccess:
    event = await Event.objects().where(Event.id == event_id).first()
    if event is None:
        raise NotFoundException()
    if user.role == "admin":
        return EventAccess(event=event, user=user, team_role=None)
    if user.role == "provider":
        if user.provider != event.provider:
            raise NotFoundException()
        return EventAccess(event=event, user=user, team_role=None)
    if user.role == "inspector":
        member = (
            await TeamMember.select(TeamMember.team_role)
            .where((TeamMember.event == event_id) & (TeamMember.user == user.id))
            .first()
        )
        if member is None:
            raise NotFoundException()
        return EventAccess(event=event, user=user, team_role=member["team_role"])
    raise NotFoundException()


async def provide_event_access(request: Request[Any, Any, Any], event_id: int) -> EventAccess:
    return await load_event_access(current_user(request), event_id)
