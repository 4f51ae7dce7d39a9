"""What counts as waiting: the rules behind the event lists' tags and deadlines and
the administrator's Waiting page, and the Retry rule for failed mail."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portal.accuracy.api import CheckDue, checks_near_deadline, checks_of, working_days_left
from portal.admin import waiting as admin_waiting
from portal.conduct.api import OpenItems, concerns_without_lead, open_items
from portal.db.tables import AuditEvent, Event, OutgoingMail
from portal.events.waiting import Tag, waiting_for
from tests.factories import Factory
from tests.waiting import helpers

MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # 10am on Monday 7 December 2026 (GMT)


def at_5pm(day: int) -> datetime:
    return datetime(2026, 12, day, 17, 0, tzinfo=UTC)


def test_working_days_left_counts_working_days_only() -> None:
    assert working_days_left(at_5pm(7), date(2026, 12, 7)) == 0  # due today
    assert working_days_left(at_5pm(8), date(2026, 12, 7)) == 1
    assert working_days_left(at_5pm(14), date(2026, 12, 11)) == 1  # Friday to Monday
    # Christmas Day (Friday) and the Boxing Day substitute (Monday 28th) do not count.
    assert working_days_left(datetime(2026, 12, 29, 17, tzinfo=UTC), date(2026, 12, 24)) == 1


async def test_checks_near_deadline_are_not_done_and_due_within_2_working_days(
    db: object, make: Factory
) -> None:
    world = await make.world()
    p = world.provider

    async def event_with(due: datetime, **fields: object) -> Event:
        event = await make.event(p)
        await helpers.check(event, due, **fields)  # type: ignore[arg-type]
        return event

    tuesday = await event_with(at_5pm(8))
    wednesday = await event_with(at_5pm(9), status="in_progress")  # the last near day
    await event_with(at_5pm(10))  # Thursday: 3 working days away
    await event_with(at_5pm(8), status="completed")  # Done
    await event_with(MONDAY - timedelta(hours=1))  # already past
    await event_with(at_5pm(8), extended_due_at=at_5pm(11))  # extended beyond
    extended_in = await event_with(at_5pm(18), extended_due_at=at_5pm(8))  # extended into
    closed = await event_with(at_5pm(8))
    await Event.update({Event.status: "closed"}).where(Event.id == closed.id)

    found = await checks_near_deadline(MONDAY)
    assert [row["event_ref"] for row in found] == [
        tuesday.event_ref,
        extended_in.event_ref,
        wednesday.event_ref,
    ]
    assert found[0]["provider_name"] == "Oakfield Primary School"


async def test_concerns_wait_for_the_admin_only_when_the_event_has_no_lead(
    db: object, make: Factory
) -> None:
    world = await make.world()
    no_lead = await make.event(world.provider, event_ref="VIS-NO-LEAD")
    await make.member(no_lead, world.inspector, "team")  # a team, but no lead
    waiting = await helpers.concern(no_lead, world.provider_user, text="Nobody answers this")
    await helpers.concern(no_lead, world.provider_user, answered=True)
    await helpers.concern(world.event, world.provider_user)  # has a lead: theirs to answer
    closed = await make.event(world.provider)
    await helpers.concern(closed, world.provider_user)
    await Event.update({Event.status: "closed"}).where(Event.id == closed.id)

    found = await concerns_without_lead()
    assert [row["id"] for row in found] == [waiting.id]
    assert found[0]["event_ref"] == "VIS-NO-LEAD"
    assert found[0]["text"] == "Nobody answers this"


async def test_open_items_count_unanswered_concerns_and_requests_per_event(
    db: object, make: Factory
) -> None:
    world = await make.world()
    quiet = await make.event(world.provider)
    for _ in range(2):
        await helpers.concern(world.event, world.provider_user)
    await helpers.concern(world.event, world.provider_user, answered=True)
    await helpers.evidence_request(world.event, world.lead)
    await helpers.evidence_request(world.event, world.lead, answered=True)
    await helpers.evidence_request(world.other_event, world.outsider)

    found = await open_items([world.event.id, quiet.id])
    assert found == {world.event.id: OpenItems(concerns=2, evidence_requests=1)}
    assert await open_items([]) == {}


async def test_checks_of_gives_the_deadline_in_force(db: object, make: Factory) -> None:
    world = await make.world()
    await helpers.check(world.event, at_5pm(8), extended_due_at=at_5pm(11))
    found = await checks_of([world.event.id, world.other_event.id])
    assert list(found) == [world.event.id]
    assert found[world.event.id].due_at == at_5pm(11)


EVENT = {"id": 1, "status": "open"}


def test_tags_say_what_is_waiting_and_the_next_deadline() -> None:
    due_wednesday = CheckDue(1, "in_progress", at_5pm(9))
    items = OpenItems(concerns=1, evidence_requests=2)
    provider = waiting_for(EVENT, due_wednesday, items, provider_view=True, now=MONDAY)
    assert provider.tags == [
        Tag("Check due in 2 working days", "orange"),
        Tag("Concern open", "yellow"),
        Tag("Evidence to confirm", "red"),
    ]
    assert provider.deadline == "5pm on Wednesday 9 December 2026"
    inspector = waiting_for(EVENT, due_wednesday, items, provider_view=False, now=MONDAY)
    assert [tag.text for tag in inspector.tags] == [
        "Check due in 2 working days",
        "Concern open",
        "2 evidence requests unanswered",
    ]


def test_a_check_far_off_is_open_and_one_done_or_past_has_no_deadline() -> None:
    none = OpenItems()
    far = waiting_for(
        EVENT, CheckDue(1, "not_started", at_5pm(14)), none, provider_view=True, now=MONDAY
    )
    assert far.tags == [Tag("Check open", "blue")] and far.deadline.startswith("5pm on Monday 14")
    today = waiting_for(
        EVENT, CheckDue(1, "not_started", at_5pm(7)), none, provider_view=True, now=MONDAY
    )
    assert today.tags == [Tag("Check due today", "red")]
    done = waiting_for(
        EVENT, CheckDue(1, "completed", at_5pm(8)), none, provider_view=True, now=MONDAY
    )
    assert done.tags == [Tag("Check completed", "green")] and done.deadline == ""
    past = waiting_for(
        EVENT,
        CheckDue(1, "in_progress", MONDAY - timedelta(minutes=1)),
        none,
        provider_view=True,
        now=MONDAY,
    )
    assert past.tags == [Tag("Check closed", "grey")] and past.deadline == ""
    nothing = waiting_for(EVENT, None, none, provider_view=False, now=MONDAY)
    assert nothing.tags == [] and nothing.deadline == ""


def test_a_closed_event_is_only_closed() -> None:
    closed = {"id": 1, "status": "closed"}
    found = waiting_for(
        closed,
        CheckDue(1, "in_progress", at_5pm(8)),
        OpenItems(3, 1),
        provider_view=False,
        now=MONDAY,
    )
    assert found.tags == [Tag("Closed", "grey")] and found.deadline == ""


async def test_retry_requeues_failed_mail_once_and_only_failed_mail(
    db: object, make: Factory
) -> None:
    world = await make.world()
    failed = await helpers.mail("failed", to="tom@example.org")
    sent = await helpers.mail("sent")
    queued = await helpers.mail("queued")

    assert await admin_waiting.retry_mail(failed, world.admin.id) is True
    row = await OutgoingMail.objects().where(OutgoingMail.id == failed).first()
    assert (row.status, row.attempts) == ("queued", 0)
    assert await admin_waiting.retry_mail(failed, world.admin.id) is False  # once
    assert await admin_waiting.retry_mail(sent, world.admin.id) is False
    assert await admin_waiting.retry_mail(queued, world.admin.id) is False
    assert await admin_waiting.retry_mail(999_999, world.admin.id) is False
    statuses = await OutgoingMail.select(
        OutgoingMail.id, OutgoingMail.status, OutgoingMail.attempts
    )
    assert {r["id"]: (r["status"], r["attempts"]) for r in statuses} == {
        failed: ("queued", 0),
        sent: ("sent", 1),
        queued: ("queued", 1),
    }
    audit = await AuditEvent.select(AuditEvent.action, AuditEvent.actor, AuditEvent.detail).where(
        AuditEvent.action == "mail retried"
    )
    assert audit == [
        {
            "action": "mail retried",
            "actor": world.admin.id,
            "detail": f"message {failed} to tom@example.org",
        }
    ]
