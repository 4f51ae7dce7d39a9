"""event.version moves, in the writing transaction, whenever anything an event's pages
show changes: the key of the cached pages (portal.web.page_cache) is only as good as this."""

from __future__ import annotations

from portal.db.tables import Document, Event, Provider, TeamMember, User
from portal.db.versioning import NOT_SHOWN
from tests.conftest import Database
from tests.factories import Factory


async def version(event: Event) -> int:
    row = await Event.select(Event.version).where(Event.id == event.id).first()
    assert row is not None
    return int(row["version"])


async def tables_with_event_column(db: Database) -> set[str]:
    if db.backend == "sqlite":
        rows = await Event.raw(
            "SELECT m.name AS name FROM sqlite_master m, pragma_table_info(m.name) p "
            "WHERE m.type = 'table' AND p.name = 'event'"
        )
    else:
        rows = await Event.raw(
            "SELECT table_name AS name FROM information_schema.columns "
            "WHERE column_name = 'event' AND table_schema = current_schema()"
        )
    return {row["name"] for row in rows}


async def tables_with_triggers(db: Database) -> set[str]:
    if db.backend == "sqlite":
        rows = await Event.raw("SELECT tbl_name AS name FROM sqlite_master WHERE type = 'trigger'")
    else:
        rows = await Event.raw(
            "SELECT event_object_table AS name FROM information_schema.triggers "
            "WHERE trigger_schema = current_schema()"
        )
    return {row["name"] for row in rows}


async def test_every_table_that_belongs_to_an_event_raises_its_version(db: Database) -> None:
    belongs = await tables_with_event_column(db)
    assert {"document", "team_member", "accuracy_check", "concern"} <= belongs
    missing = belongs - NOT_SHOWN - await tables_with_triggers(db)
    assert missing == set(), f"tables with an event column and no version trigger: {missing}"


async def test_a_document_added_changed_and_deleted_raises_its_event_only(
    db: Database, make: Factory
) -> None:
    world = await make.world()
    before, other_before = await version(world.event), await version(world.other_event)
    document = await make.document(world.event, world.provider_user, state="staged")
    after_insert = await version(world.event)
    assert after_insert > before
    await Document.update({Document.state: "live"}).where(Document.id == document.id)
    after_update = await version(world.event)
    assert after_update > after_insert
    await Document.delete().where(Document.id == document.id)
    assert await version(world.event) > after_update
    assert await version(world.other_event) == other_before


async def test_the_event_its_team_its_provider_and_its_people_raise_it(
    db: Database, make: Factory
) -> None:
    world = await make.world()
    steps = [
        Event.update({Event.status: "closed"}).where(Event.id == world.event.id),
        Provider.update({Provider.name: "Oakfield Academy"}).where(
            Provider.id == world.provider.id
        ),
        TeamMember.update({TeamMember.pen_portrait: "New words."}).where(
            TeamMember.event == world.event.id
        ),
        # A provider's user (not on any team) and an inspector on the team.
        User.update({User.display_name: "Renamed"}).where(User.id == world.provider_user.id),
        User.update({User.email: "new@example.org"}).where(User.id == world.lead.id),
    ]
    for step in steps:
        before = await version(world.event)
        await step
        assert await version(world.event) > before, step


async def test_what_no_page_shows_leaves_it_alone(db: Database, make: Factory) -> None:
    """A sign-in writes the user's failure count: it must not empty every page cache."""
    world = await make.world()
    before = await version(world.event)
    await User.update({User.failed_attempts: 3}).where(User.id == world.lead.id)
    await User.update({User.display_name: "Someone Else"}).where(User.id == world.outsider.id)
    assert await version(world.event) == before
