"""What the signed-in user may see and do on one event. Every event route loads it
through `provide_event_access`: another provider's event (or an event an inspector
is not on) is 404, so its existence is not revealed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException, PermissionDeniedException

from portal.db.prepared import Param, Prepared, loaded
from portal.db.tables import Event, Provider, User
from portal.web.guards import current_user


@dataclass(frozen=True)
class EventAccess:
    event: Event
    user: User
    team_role: str | None  # "lead" | "team" for a member of the Ofsted team
    provider: Provider  # the inspected provider, named on every event page

    @property
    def provider_name(self) -> str:
        return str(self.provider.name)

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


# The event, its provider and the user's place on its Ofsted team, in one round trip:
# every event page asks, so it is SQL written once rather than built per request.
EVENT_ACCESS = Prepared(
    Event.raw(
        "SELECT event.*, provider.name AS provider_name, provider.urn AS provider_urn, "
        "provider.address AS provider_address, "
        "(SELECT team_role FROM team_member WHERE team_member.event = event.id "
        'AND team_member."user" = {} LIMIT 1) AS team_role '
        "FROM event JOIN provider ON provider.id = event.provider WHERE event.id = {}",
        Param("user"),
        Param("event"),
    )
)


async def load_event_access(user: User, event_id: int) -> EventAccess:
    """One query: the event, its provider and, for an inspector, their place on the
    team. Anything the user may not see is 404."""
    if user.role not in ("admin", "provider", "inspector"):
        raise NotFoundException()
    row = await EVENT_ACCESS.first(user=user.id, event=event_id)
    if row is None:
        raise NotFoundException()
    team_role = row.pop("team_role")
    provider = loaded(
        Provider,
        {
            "id": row["provider"],
            "name": row.pop("provider_name"),
            "urn": row.pop("provider_urn"),
            "address": row.pop("provider_address"),
        },
    )
    event = loaded(Event, row)
    if user.role == "provider" and user.provider != event.provider:
        raise NotFoundException()
    if user.role == "inspector" and team_role is None:
        raise NotFoundException()
    return EventAccess(event=event, user=user, team_role=team_role, provider=provider)


async def provide_event_access(request: Request[Any, Any, Any], event_id: int) -> EventAccess:
    return await load_event_access(current_user(request), event_id)
