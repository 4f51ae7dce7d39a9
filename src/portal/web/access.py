"""What the signed-in user may see and do on one event. Every event route loads it
through `provide_event_access`: another provider's event (or an event an inspector
is not on) is 404, so its existence is not revealed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException, PermissionDeniedException
from piccolo.querystring import QueryString

from portal.db.tables import Event, User
from portal.web.guards import current_user


@dataclass(frozen=True)
class EventAccess:
    event: Event
    user: User
    team_role: str | None  # "lead" | "team" for a member of the Ofsted team
    provider_name: str = ""  # the inspected provider's name, shown on every event page

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
    """One query: the event, its provider's name and, for an inspector, their place on
    the team. Anything the user may not see is 404."""
    if user.role not in ("admin", "provider", "inspector"):
        raise NotFoundException()
    columns: list[Any] = [*Event.all_columns(), Event.provider.name.as_alias("provider_name")]
    if user.role == "inspector":
        columns.append(
            QueryString(
                '(SELECT team_role FROM team_member WHERE team_member.event = "event"."id" '
                'AND team_member."user" = {} LIMIT 1) AS "team_role"',
                user.id,
            )
        )
    row = await Event.select(*columns).where(Event.id == event_id).first()
    if row is None:
        raise NotFoundException()
    provider_name = row.pop("provider_name")
    team_role = row.pop("team_role", None)
    event = Event(_ignore_missing=True, **row)
    event._exists_in_db = True
    if user.role == "provider" and user.provider != event.provider:
        raise NotFoundException()
    if user.role == "inspector" and team_role is None:
        raise NotFoundException()
    return EventAccess(event=event, user=user, team_role=team_role, provider_name=provider_name)


async def provide_event_access(request: Request[Any, Any, Any], event_id: int) -> EventAccess:
    return await load_event_access(current_user(request), event_id)
