"""Shared set-up for the accuracy check tests: a world whose draft report is published."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.accuracy.tables import AccuracyCheck
from portal.db.tables import Event, User
from portal.documents.publishing import published
from portal.web.access import EventAccess, load_event_access
from tests.factories import Factory, World

DRAFT_NAME = "Oakfield - draft inspection report.pdf"


async def open_world(make: Factory, at: datetime | None = None) -> World:
    world = await make.world()
    await publish_draft(make, world, world.event, at)
    return world


async def publish_draft(
    make: Factory, world: World, event: Event, at: datetime | None = None
) -> None:
    await make.document(event, world.lead, side="ofsted", kind="draft_report", file_name=DRAFT_NAME)
    await published(event.id, "draft_report", at or datetime.now(UTC))


async def access_for(user: User, event: Event) -> EventAccess:
    return await load_event_access(user, event.id)


async def stored(event: Event) -> AccuracyCheck:
    row = await AccuracyCheck.objects().where(AccuracyCheck.event == event.id).first()
    assert row is not None
    return row
