"""The lists stay flat at 100 000 events and a large audit log: each page is read straight
off an index in the list's order, from the key its link carries (keyset paging), and the
count stops at COUNT_LIMIT. Proved with the databases' own plans (EXPLAIN QUERY PLAN on
SQLite, EXPLAIN on PostgreSQL): a plan is not a timing, it does not flake."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

from piccolo.query.methods.select import Select

from portal.admin import service
from portal.db.reads import EVENT_COLUMNS
from portal.db.tables import AuditEvent, Event, Provider, TeamMember, User
from portal.web.paging import COUNT_LIMIT
from tests.client import PortalClient
from tests.conftest import Database
from tests.factories import Factory, World

EVENTS = 100_000
AUDIT_ROWS = 100_000  # the plan is the same at 1 000 000 (bench/pages.py times that)
PEOPLE = 10_000  # bulk providers and users, so their lists are worth an index too
INSPECTOR_EVERY = 500  # the world's inspector: on 200 events (a busy career), of 100 000


def _numbers(db: Database, count: int) -> tuple[str, str]:
    """(a WITH prefix, a FROM source) giving the integers 1..count as `n`."""
    if db.backend == "postgres":
        return "", f"generate_series(1, {count}) AS n"
    return (
        f"WITH RECURSIVE n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < {count}) ",
        "n",
    )


async def _seed(db: Database, world: World) -> None:
    """Bulk rows in one statement each (the ids written into the SQL are our own ints)."""
    if db.backend == "postgres":
        day = "DATE '2020-01-01' + (n % 2000)"
        minute = "TIMESTAMPTZ '2020-01-01 00:00:00+00' + n * INTERVAL '1 minute'"
    else:
        day = "date('2020-01-01', '+' || (n % 2000) || ' days')"
        minute = "datetime('2020-01-01', '+' || n || ' minutes') || '+00:00'"
    people, events, audit_rows = (
        _numbers(db, PEOPLE),
        _numbers(db, EVENTS),
        _numbers(db, AUDIT_ROWS),
    )
    await Event.raw(
        people[0] + "INSERT INTO provider (name, urn, address) "
        f"SELECT 'Bulk provider ' || n, 'BP' || n, '' FROM {people[1]}"
    )
    await Event.raw(
        people[0] + "INSERT INTO portal_user (username, email, display_name, role, password_hash) "
        "SELECT 'bulk' || n, 'bulk' || n || '@bulk.invalid', 'Bulk user ' || n, 'inspector', '' "
        f"FROM {people[1]}"
    )
    await Event.raw(
        events[0] + "INSERT INTO event (event_ref, event_type, start_date, end_date, provider, "
        f"status) SELECT 'BULK-' || n, 'inspection', {day}, {day}, {world.other_provider.id}, "
        f"'open' FROM {events[1]}"
    )
    # Every bulk event has a team member; the world's inspector on one in 500.
    bulk_user = await User.select(User.id).where(User.username == "bulk1").first()
    await Event.raw(
        'INSERT INTO team_member (event, "user", team_role, pen_portrait) '
        f"SELECT id, CASE WHEN id % {INSPECTOR_EVERY} = 0 THEN {world.inspector.id} "
        f"ELSE {bulk_user['id']} END, 'team', '' FROM event WHERE event_ref LIKE 'BULK-%'"
    )
    first_event = world.event.id
    await Event.raw(
        audit_rows[0] + "INSERT INTO audit_event (at, actor, action, event, detail) "
        f"SELECT {minute}, CASE WHEN n % 10 = 0 THEN {world.admin.id} ELSE NULL END, 'bulk', "
        f"CASE WHEN n % 4 = 0 THEN {first_event} ELSE {first_event} + (n % {EVENTS}) END, '' "
        f"FROM {audit_rows[1]}"
    )
    if db.backend == "postgres":
        await Event.raw("ANALYZE")


async def plan(db: Database, query: Select) -> str:
    sql = str(query)
    if db.backend == "postgres":
        return "\n".join(row["QUERY PLAN"] for row in await Event.raw(f"EXPLAIN {sql}"))
    return "\n".join(row["detail"] for row in await Event.raw(f"EXPLAIN QUERY PLAN {sql}"))


def assert_reads_index(db: Database, found: str, index: str, table: str) -> None:
    """The plan walks `index` and neither scans `table` whole nor sorts."""
    assert index in found, found
    if db.backend == "postgres":
        assert f"Seq Scan on {table}" not in found, found
        assert "Sort" not in found, found
    else:
        assert not re.search(rf"SCAN {table}(?! USING)", found), found
        assert "TEMP B-TREE" not in found, found


def _link(page: str, rel: str) -> str:
    match = re.search(rf'href="([^"]+)" rel="{rel}"', page)
    assert match, f"no {rel} link"
    return html.unescape(match.group(1))


async def test_lists_read_their_pages_off_an_index(
    client: PortalClient, make: Factory, db: Database
) -> None:
    world = await make.world()
    await _seed(db, world)
    assert await Event.count() == EVENTS + 2

    # Every page a list links to: first, next (after a key), previous (before one), last.
    event_key = ["2024-06-01", 50_000]
    at = datetime(2020, 3, 1, tzinfo=UTC)
    cases: list[tuple[Select, str, str]] = [
        (
            service.EVENT_ORDER.ordered(Event.select(*EVENT_COLUMNS)).limit(26),
            "event_start_date_id_idx",
            "event",
        ),
        (
            service.EVENT_ORDER.ordered(
                Event.select(*EVENT_COLUMNS).where(service.EVENT_ORDER.beyond(event_key))
            ).limit(26),
            "event_start_date_id_idx",
            "event",
        ),
        (
            service.EVENT_ORDER.ordered(
                Event.select(*EVENT_COLUMNS).where(service.EVENT_ORDER.beyond(event_key, False)),
                reverse=True,
            ).limit(26),
            "event_start_date_id_idx",
            "event",
        ),
        (  # one provider's events (the admin provider page, its users' list)
            service.EVENT_ORDER.ordered(
                Event.select(*EVENT_COLUMNS).where(Event.provider == world.other_provider.id)
            ).limit(26),
            "event_provider_start_date_idx",
            "event",
        ),
        (
            service.PROVIDER_ORDER.ordered(
                Provider.select(Provider.id, Provider.name).where(
                    service.PROVIDER_ORDER.beyond(["Bulk provider 5000", 5000])
                )
            ).limit(26),
            "provider_name_idx",
            "provider",
        ),
        (
            service.USER_ORDER.ordered(
                User.select(*service.USER_COLUMNS).where(
                    service.USER_ORDER.beyond(["Bulk user 5000", 5000])
                )
            ).limit(26),
            "portal_user_display_name_idx",
            "portal_user",
        ),
        (
            service.AUDIT_ORDER.ordered(
                AuditEvent.select(AuditEvent.id, AuditEvent.at).where(
                    service.AUDIT_ORDER.beyond([str(at), 80_000])
                )
            ).limit(26),
            "audit_event_at_id_idx",
            "audit_event",
        ),
        (
            service.AUDIT_ORDER.ordered(
                AuditEvent.select(AuditEvent.id).where(AuditEvent.event == world.event.id)
            ).limit(26),
            "audit_event_event_at_idx",
            "audit_event",
        ),
        (
            service.AUDIT_ORDER.ordered(
                AuditEvent.select(AuditEvent.id).where(AuditEvent.actor == world.admin.id)
            ).limit(26),
            "audit_event_actor_at_idx",
            "audit_event",
        ),
        (
            service.AUDIT_ORDER.ordered(
                AuditEvent.select(AuditEvent.id).where(AuditEvent.at >= at)
            ).limit(26),
            "audit_event_at_id_idx",
            "audit_event",
        ),
    ]
    # The audit log's filters as the form gives them: an event ID, a username (joins).
    for filters, index in [
        (service.AuditFilter(event_ref=world.event.event_ref), "audit_event_event_at_idx"),
        (service.AuditFilter(username=world.admin.username), "audit_event_actor_at_idx"),
        (service.AuditFilter(date_from=date(2020, 2, 1)), "audit_event_at_id_idx"),
    ]:
        where = service.audit_where(filters)
        query = AuditEvent.select(AuditEvent.id, AuditEvent.at).where(where)
        cases.append((service.AUDIT_ORDER.ordered(query).limit(26), index, "audit_event"))
    for query, index, table in cases:
        assert_reads_index(db, await plan(db, query), index, table)

    # An inspector's own events: found through the team index, each event by its key;
    # the event table is never scanned (only their own events are sorted).
    member_of = TeamMember.select(TeamMember.event).where(TeamMember.user == world.inspector.id)
    found = await plan(
        db,
        Event.select(*EVENT_COLUMNS)
        .where(Event.id.is_in(member_of))
        .order_by(Event.start_date, ascending=False),
    )
    assert "team_member_user" in found, found
    assert "Seq Scan on event" not in found and not re.search(r"SCAN event(?! USING)", found)
    assert "event_pkey" in found or "USING INTEGER PRIMARY KEY" in found, found


async def test_the_event_list_pages_by_its_links_at_100_000_events(
    client: PortalClient, make: Factory, db: Database
) -> None:
    world = await make.world()
    await _seed(db, world)
    await client.sign_in_as(world.admin)
    first = (await client.get("/admin/events")).text
    assert f"Showing 1 to 25 of more than {COUNT_LIMIT:,} events" in first
    second = (await client.get(_link(first, "next"))).text
    assert "Showing 26 to 50 of more than" in second and "after=" in _link(second, "next")
    third = (await client.get(_link(second, "next"))).text
    back = (await client.get(_link(third, "prev"))).text
    assert _rows(back) == _rows(second)
    assert "Showing 26 to 50 of more than" in back
    # A bare page number (typed, or an old link) still answers, by OFFSET.
    deep = (await client.get("/admin/events?page=3000")).text
    assert "Showing 74976 to 75000" in deep and "BULK-" in deep
    # Counted lists link their last page, read backwards off the same index.
    audit = (await client.get(f"/admin/audit?event_ref={world.event.event_ref}")).text
    assert "of 1 entry" in audit or "entries" in audit
    search = (await client.get("/admin/events?q=BULK-99999")).text
    assert "BULK-99999" in search and "Showing 1 to 1 of 1 event" in search


def _rows(page: str) -> list[str]:
    return re.findall(r">((?:BULK|INS|VIS)-[\w-]+)<", page)


async def test_a_counted_list_links_its_last_page(
    client: PortalClient, make: Factory, db: Database
) -> None:
    world = await make.world()
    for n in range(60):
        await make.event(
            world.other_provider, event_ref=f"VIS-{n:04d}", start_date=date(2025, 1, 1)
        )
    await client.sign_in_as(world.admin)
    first = (await client.get("/admin/events")).text
    assert "Showing 1 to 25 of 62 events" in first
    last_href = re.search(r'href="([^"]+last=1[^"]*)"', first)
    assert last_href, "no link to the last page"
    last = (await client.get(html.unescape(last_href.group(1)))).text
    assert "Showing 51 to 62 of 62 events" in last
    assert "govuk-pagination__next" not in last
    middle = (await client.get(_link(last, "prev"))).text
    assert "Showing 26 to 50 of 62 events" in middle
    walked = _rows(first) + _rows(middle) + _rows(last)
    assert len(walked) == len(set(walked)) == 62  # every event once, none skipped
