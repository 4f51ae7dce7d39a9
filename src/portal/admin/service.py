"""The support administrator's rules and queries: providers, events, the Ofsted team,
users and the audit log. Used by the console (routes.py) and the `portal` commands
(commands.py) alike. No Litestar here.

Lists are read a page at a time straight off an index in the list's order (keyset
paging, `Keyset`; the indexes are in the admin and portal migrations) and counted up to
`COUNT_LIMIT`, so a page costs the same at 100 000 events or 1 000 000 audit rows as at
100."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from piccolo.columns import Column, Date, ForeignKey, Integer, Serial, Timestamptz
from piccolo.columns.combination import And, Or, Where, WhereRaw
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString
from piccolo.table import Table

from portal import audit
from portal.accuracy import api as accuracy
from portal.admin import notices
from portal.clock import end_of_working_day, start_of_day
from portal.db.reads import EVENT_COLUMNS, team_of
from portal.db.tables import EVENT_TYPES, TEAM_ROLES, AuditEvent, Event, Provider, TeamMember, User
from portal.validation import Refused
from portal.web.paging import COUNT_LIMIT, Page, Position

PAGE_SIZE = 25


def _contains(column: Any, q: str) -> Any:
    """Case-insensitive 'contains' (SQLite's LIKE already ignores case)."""
    pattern = f"%{q.replace('%', '')}%"
    if isinstance(column._meta.table._meta.db, SQLiteEngine):
        return column.like(pattern)
    return column.ilike(pattern)


@dataclass(frozen=True)
class Keyset:
    """A list's order: its columns (the last one unique, the id), all ascending or all
    descending, matching an index of the table (see the migrations), so a page is read
    straight off the index from a row's key: no OFFSET, no sort."""

    columns: tuple[Column, ...]
    ascending: bool = True

    def ordered(self, query: Select, reverse: bool = False) -> Select:
        for column in self.columns:
            query = query.order_by(column, ascending=self.ascending != reverse)
        return query

    def beyond(self, key: list[Any], forward: bool = True) -> WhereRaw | None:
        """Rows after `key` in the list's order (or before it); None for a key that is
        not one of this list's."""
        values = self._values(key)
        if values is None:
            return None
        names = ", ".join(
            f'"{c._meta.table._meta.tablename}"."{c._meta.db_column_name}"' for c in self.columns
        )
        marks = ", ".join("{}" for _ in values)
        sign = ">" if self.ascending == forward else "<"
        return WhereRaw(f"({names}) {sign} ({marks})", *values)

    def key(self, row: dict[str, Any]) -> list[Any]:
        parts = (row[column._meta.name] for column in self.columns)
        return [p if isinstance(p, int | str) else str(p) for p in parts]

    def _values(self, key: list[Any]) -> list[Any] | None:
        if len(key) != len(self.columns):
            return None
        values: list[Any] = []
        try:
            for column, part in zip(self.columns, key, strict=True):
                if isinstance(column, Timestamptz):
                    values.append(datetime.fromisoformat(str(part)))
                elif isinstance(column, Date):
                    values.append(date.fromisoformat(str(part)))
                elif isinstance(column, Integer | Serial):
                    values.append(int(part))
                else:
                    values.append(str(part))
        except ValueError:
            return None
        return values


async def _count(table: type[Table], where: Any) -> tuple[int, bool]:
    """The rows `where` finds, counting no further than COUNT_LIMIT: (count, more)."""
    inner = table.select(table._meta.primary_key)
    if where is not None:
        inner = inner.where(where)
    capped = QueryString(
        "SELECT COUNT(*) AS total FROM ({}) AS capped",
        inner.limit(COUNT_LIMIT + 1).querystrings[0],
    )
    rows = await table._meta.db.run_querystring(capped)
    total = int(rows[0]["total"])
    return total, total > COUNT_LIMIT


async def _paged(
    select: Callable[[], Select],
    keyset: Keyset,
    where: Any,
    at: Position | int,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of the rows `select()` reads (filtered by `where`, if any) at `at`, with the
    count of what it finds. A page reached by a link is read by key; a bare page number
    by OFFSET. (`select` makes a new query each time: Piccolo's queries change in place.)"""
    at = Position.at(at)

    def query(*conditions: Any, reverse: bool = False) -> Select:
        condition = _where(where, *conditions)
        base = select() if condition is None else select().where(condition)
        return keyset.ordered(base, reverse=reverse)

    total, more = await _count(select().table, where)
    number = at.number if more else Page.clamp(at.number, total, size)
    rows: list[dict[str, Any]] = []
    has_next = False
    if at.last and not more and total:
        rows = await query(reverse=True).limit(total - (number - 1) * size)
        rows.reverse()
    elif number > 1 and (at.after or at.before):
        forward = at.after is not None
        beyond = keyset.beyond(at.after or at.before or [], forward)
        if beyond is not None:
            found = await query(beyond, reverse=not forward).limit(size + 1)
            if forward:
                rows, has_next = found[:size], len(found) > size
            else:  # read backwards from the key: the page before it, in the list's order
                rows, has_next = found[:size][::-1], True
    if not rows:
        found = await query().limit(size + 1).offset((number - 1) * size)
        rows, has_next = found[:size], len(found) > size
    return Page(
        items=rows,
        number=number,
        total=total,
        size=size,
        more=more,
        first_key=keyset.key(rows[0]) if rows else None,
        last_key=keyset.key(rows[-1]) if rows else None,
        has_next=has_next,
    )


def _where(*conditions: Any) -> Any:
    conditions = tuple(c for c in conditions if c is not None)
    if not conditions:
        return None
    result = conditions[0]
    for condition in conditions[1:]:
        result = And(result, condition)
    return result


# -- providers ------------------------------------------------------------------------


PROVIDER_ORDER = Keyset((Provider.name, Provider.id))  # index provider_name_idx


async def providers(q: str = "", at: Position | int = 1) -> Page:
    q = q.strip()
    where = Or(_contains(Provider.name, q), _contains(Provider.urn, q)) if q else None
    return await _paged(
        lambda: Provider.select(Provider.id, Provider.name, Provider.urn, Provider.address),
        PROVIDER_ORDER,
        where,
        at,
    )


async def provider(provider_id: int) -> Provider | None:
    return await Provider.objects().where(Provider.id == provider_id).first()


async def provider_by_urn(urn: str) -> Provider | None:
    return await Provider.objects().where(Provider.urn == urn.strip()).first()


async def _check_urn(urn: str, except_id: int | None = None) -> None:
    query = Provider.exists().where(Provider.urn == urn)
    if except_id is not None:
        query = Provider.exists().where((Provider.urn == urn) & (Provider.id != except_id))
    if await query:
        raise Refused("A provider with this URN already exists", "urn")


async def create_provider(*, name: str, urn: str, address: str, actor_id: int | None) -> Provider:
    await _check_urn(urn)
    row = Provider(name=name, urn=urn, address=address)
    await row.save()
    await audit.record("provider created", actor=actor_id, detail=f"{urn} {name}")
    return row


async def update_provider(
    row: Provider, *, name: str, urn: str, address: str, actor_id: int | None
) -> None:
    await _check_urn(urn, except_id=row.id)
    changes = [
        label
        for label, old, new in [
            ("name", row.name, name),
            ("URN", row.urn, urn),
            ("address", row.address, address),
        ]
        if old != new
    ]
    row.name, row.urn, row.address = name, urn, address
    await row.save([Provider.name, Provider.urn, Provider.address])
    await audit.record(
        "provider changed",
        actor=actor_id,
        detail=f"{urn} {name}: " + (", ".join(changes) or "no change"),
    )


# -- events ---------------------------------------------------------------------------


def _event_search(q: str) -> Where | Or | None:
    q = q.strip()
    if not q:
        return None
    return Or(_contains(Event.event_ref, q), _contains(Event.provider.name, q))


# Newest first: indexes event_start_date_id_idx, and event_provider_start_date_idx for
# one provider's events.
EVENT_ORDER = Keyset((Event.start_date, Event.id), ascending=False)


async def events(q: str = "", at: Position | int = 1, provider_id: int | None = None) -> Page:
    where = _where(
        _event_search(q), (Event.provider == provider_id) if provider_id is not None else None
    )
    return await _paged(lambda: Event.select(*EVENT_COLUMNS), EVENT_ORDER, where, at)


async def event(event_id: int) -> dict[str, Any] | None:
    return await Event.select(*EVENT_COLUMNS).where(Event.id == event_id).first()


async def event_by_ref(event_ref: str) -> Event | None:
    return await Event.objects().where(Event.event_ref == event_ref.strip()).first()


async def create_event(
    *,
    provider_id: int,
    event_ref: str,
    event_type: str,
    start_date: date,
    end_date: date,
    actor_id: int | None,
) -> Event:
    if await Event.exists().where(Event.event_ref == event_ref):
        raise Refused("An event with this event ID already exists", "event_ref")
    if event_type not in EVENT_TYPES:
        raise Refused("Select the type of event", "event_type")
    if end_date < start_date:
        raise Refused("The end date must be the same as or after the start date", "end-day")
    row = Event(
        event_ref=event_ref,
        event_type=event_type,
        start_date=start_date,
        end_date=end_date,
        provider=provider_id,
    )
    await row.save()
    await audit.record(
        "event created",
        actor=actor_id,
        event=row.id,
        detail=f"{event_ref} ({event_type}) {start_date.isoformat()} to {end_date.isoformat()}",
    )
    return row


async def close_event(event_id: int, actor_id: int | None) -> bool:
    """Close the event: nothing on it changes afterwards. False if it was closed already."""
    updated = await (
        Event.update({Event.status: "closed"})
        .where((Event.id == event_id) & (Event.status != "closed"))
        .returning(Event.id)
    )
    if not updated:
        return False
    await audit.record("event closed", actor=actor_id, event=event_id)
    return True


async def accuracy_deadline(event_id: int) -> datetime | None:
    check = await accuracy.find(event_id)
    if check is None:
        return None
    return check.extended_due_at or check.due_at


async def extend_deadline(event_id: int, new_day: date, actor_id: int | None) -> None:
    """Give the provider until 5pm on `new_day` (the accuracy service records it)."""
    try:
        await accuracy.extend_deadline(event_id, end_of_working_day(new_day), actor_id)
    except LookupError as exc:
        raise Refused("This event has no factual accuracy check yet", "due-day") from exc


# -- the Ofsted team ------------------------------------------------------------------


async def team(event_id: int) -> list[dict[str, Any]]:
    """The event's team, lead first (as the provider sees it, with usernames)."""
    return await team_of(event_id)


async def member(event_id: int, member_id: int) -> TeamMember | None:
    return (
        await TeamMember.objects()
        .where((TeamMember.id == member_id) & (TeamMember.event == event_id))
        .first()
    )


async def _check_one_lead(event_id: int, team_role: str, except_id: int | None = None) -> None:
    if team_role != "lead":
        return
    condition = (TeamMember.event == event_id) & (TeamMember.team_role == "lead")
    if except_id is not None:
        condition = condition & (TeamMember.id != except_id)
    if await TeamMember.exists().where(condition):
        raise Refused(
            "This event already has a lead inspector: make them a team inspector first",
            "team_role",
        )


async def add_team_member(
    *, event_id: int, username: str, team_role: str, pen_portrait: str, actor_id: int | None
) -> TeamMember:
    inspector = await User.objects().where(User.username == username.strip().lower()).first()
    if inspector is None or inspector.role != "inspector":
        raise Refused("Enter the username of an inspector", "username")
    if not inspector.active:
        raise Refused("This inspector's account has been deactivated", "username")
    if await TeamMember.exists().where(
        (TeamMember.event == event_id) & (TeamMember.user == inspector.id)
    ):
        raise Refused("This inspector is already on the team", "username")
    if team_role not in TEAM_ROLES:
        raise Refused("Select the inspector's role", "team_role")
    await _check_one_lead(event_id, team_role)
    row = TeamMember(
        event=event_id, user=inspector.id, team_role=team_role, pen_portrait=pen_portrait
    )
    role = TEAM_ROLES[team_role].lower()
    async with TeamMember._meta.db.transaction():  # the change and the provider's mail
        await row.save()
        await audit.record(
            "team member added",
            actor=actor_id,
            event=event_id,
            detail=f"{inspector.username} as {role}",
        )
        await notices.team_changed(
            event_id, f"{inspector.display_name} has joined the team as {role}"
        )
    return row


async def update_team_member(
    row: TeamMember, *, team_role: str, pen_portrait: str, actor_id: int | None
) -> None:
    if team_role not in TEAM_ROLES:
        raise Refused("Select the inspector's role", "team_role")
    await _check_one_lead(row.event, team_role, except_id=row.id)
    was = row.team_role
    row.team_role, row.pen_portrait = team_role, pen_portrait
    person = await User.select(User.username, User.display_name).where(User.id == row.user).first()
    name = person["display_name"] if person else "A team member"
    role = TEAM_ROLES[team_role].lower()
    async with TeamMember._meta.db.transaction():  # the change and the provider's mail
        await row.save([TeamMember.team_role, TeamMember.pen_portrait])
        await audit.record(
            "team member changed",
            actor=actor_id,
            event=row.event,
            detail=f"{person['username'] if person else row.user} as {role}",
        )
        await notices.team_changed(
            row.event,
            f"{name} is now the {role}"
            if was != team_role
            else f"{name}’s pen portrait ({role}) has been updated",
        )


async def remove_team_member(row: TeamMember, actor_id: int | None) -> None:
    person = await User.select(User.username, User.display_name).where(User.id == row.user).first()
    async with TeamMember._meta.db.transaction():  # the change and the provider's mail
        await TeamMember.delete().where(TeamMember.id == row.id)
        await audit.record(
            "team member removed",
            actor=actor_id,
            event=row.event,
            detail=person["username"] if person else str(row.user),
        )
        name = person["display_name"] if person else "A team member"
        await notices.team_changed(row.event, f"{name} is no longer on the team")


# -- users ----------------------------------------------------------------------------


# What the user list shows of each user (the user's page shows more).
USER_COLUMNS = (
    User.id,
    User.username,
    User.display_name,
    User.email,
    User.role,
    User.active,
    User.locked_until,
    User.provider.name.as_alias("provider_name"),
)


USER_ORDER = Keyset((User.display_name, User.id))  # index portal_user_display_name_idx


async def users(q: str = "", at: Position | int = 1) -> Page:
    q = q.strip()
    where = (
        Or(
            Or(_contains(User.username, q), _contains(User.display_name, q)),
            _contains(User.email, q),
        )
        if q
        else None
    )
    return await _paged(lambda: User.select(*USER_COLUMNS), USER_ORDER, where, at)


async def user(user_id: int) -> dict[str, Any] | None:
    return await (
        User.select(
            *USER_COLUMNS,
            User.failed_attempts,
            User.must_change_password,
            User.created_at,
            User.provider.urn.as_alias("provider_urn"),
        )
        .where(User.id == user_id)
        .first()
    )


async def user_events(user_id: int) -> list[dict[str, Any]]:
    return await (
        TeamMember.select(
            TeamMember.team_role,
            TeamMember.event.id.as_alias("event_id"),
            TeamMember.event.event_ref.as_alias("event_ref"),
        )
        .where(TeamMember.user == user_id)
        .order_by(TeamMember.id, ascending=False)
    )


# -- the audit log --------------------------------------------------------------------


@dataclass
class AuditFilter:
    event_ref: str = ""
    username: str = ""
    date_from: date | None = None
    date_to: date | None = None


# Latest first: index audit_event_at_id_idx, or audit_event_event_at_idx and
# audit_event_actor_at_idx when filtered by event or by who.
AUDIT_ORDER = Keyset((AuditEvent.at, AuditEvent.id), ascending=False)


def _is_row(column: ForeignKey, key: Column, value: str) -> WhereRaw:
    """`column` points at the row whose `key` is `value`: a scalar subquery, so the
    database knows the one id before it walks the index (a join would sort every match)."""
    target = key._meta.table._meta.tablename
    return WhereRaw(
        f'"{column._meta.table._meta.tablename}"."{column._meta.db_column_name}" = '
        f'(SELECT id FROM "{target}" WHERE "{key._meta.db_column_name}" = {{}})',
        value,
    )


def audit_where(filters: AuditFilter) -> Any:
    conditions: list[Any] = []
    if filters.event_ref:
        conditions.append(_is_row(AuditEvent.event, Event.event_ref, filters.event_ref.strip()))
    if filters.username:
        username = filters.username.strip().lower()
        conditions.append(_is_row(AuditEvent.actor, User.username, username))
    if filters.date_from:
        conditions.append(AuditEvent.at >= start_of_day(filters.date_from))
    if filters.date_to:
        conditions.append(AuditEvent.at < start_of_day(filters.date_to + timedelta(days=1)))
    return _where(*conditions)


async def audit_log(filters: AuditFilter, at: Position | int = 1) -> Page:
    return await _paged(
        lambda: AuditEvent.select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.detail,
            AuditEvent.event.id.as_alias("event_id"),
            AuditEvent.event.event_ref.as_alias("event_ref"),
            AuditEvent.actor.display_name.as_alias("actor_name"),
            AuditEvent.actor.username.as_alias("actor_username"),
        ),
        AUDIT_ORDER,
        audit_where(filters),
        at,
    )
