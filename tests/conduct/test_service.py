"""Code of conduct rules below the routes: a response or an answer is written once."""

from __future__ import annotations

from portal.conduct import service
from portal.conduct.tables import Concern, EvidenceConfirmation
from portal.db.tables import AuditEvent
from portal.web.access import load_event_access
from tests.factories import Factory


async def test_a_concern_is_answered_once(make: Factory) -> None:
    world = await make.world()
    concern = Concern(event=world.event.id, raised_by=world.provider_user.id, text="Rushed.")
    await concern.save()
    access = await load_event_access(world.lead, world.event.id)
    assert await service.respond(access, concern.id, "Sorry.", "Slowed down.")
    # A second response (another tab, or a race) writes nothing and says so.
    assert not await service.respond(access, concern.id, "Changed", "Changed")
    row = await Concern.objects().where(Concern.id == concern.id).first()
    assert (row.response, row.action_taken) == ("Sorry.", "Slowed down.")
    assert await AuditEvent.count().where(AuditEvent.action == "concern answered") == 1


async def test_another_events_concern_is_not_answered(make: Factory) -> None:
    world = await make.world()
    concern = Concern(event=world.other_event.id, raised_by=world.provider_user.id, text="x")
    await concern.save()
    access = await load_event_access(world.lead, world.event.id)
    assert not await service.respond(access, concern.id, "Sorry.", "None.")
    row = await Concern.objects().where(Concern.id == concern.id).first()
    assert row.responded_at is None


async def test_an_evidence_request_is_answered_once(make: Factory) -> None:
    world = await make.world()
    request = EvidenceConfirmation(event=world.event.id, requested_by=world.lead.id)
    await request.save()
    access = await load_event_access(world.provider_user, world.event.id)
    assert await service.answer_evidence(access, request.id, "all_provided", "ignored")
    assert not await service.answer_evidence(access, request.id, "outstanding", "Minutes.")
    row = await EvidenceConfirmation.objects().where(EvidenceConfirmation.id == request.id).first()
    assert (row.answer, row.outstanding) == ("all_provided", "")
    assert (
        await AuditEvent.count().where(AuditEvent.action == "evidence confirmation answered") == 1
    )
