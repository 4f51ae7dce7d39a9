"""The reminder one working day before the accuracy check's deadline: to the provider's
users, once per deadline, never when Done, never twice however many processes look."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from litestar import Litestar

from portal import clock
from portal.accuracy import reminders, service
from portal.accuracy.forms import Answers
from portal.accuracy.tables import AccuracyCheck
from portal.db.tables import AuditEvent, Event, OutgoingMail
from tests import outbox
from tests.accuracy.helpers import access_for, open_world, stored
from tests.factories import Factory
from tests.outbox import settings as settings  # the public address is outbox.BASE_URL

PUBLISHED = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)  # due 5pm Friday 4 December 2026
DUE = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
THURSDAY_5PM = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)  # one working day before


@pytest.fixture(autouse=True)
def _links(app: Litestar) -> None:
    """The app is built: links and messages know the public address."""


def local(year: int, month: int, day: int, hour: int = 17) -> datetime:
    return datetime(year, month, day, hour, tzinfo=clock.LONDON)


def test_one_working_day_before_skips_weekends_and_bank_holidays() -> None:
    assert reminders.remind_from(local(2026, 12, 4)) == local(2026, 12, 3)  # Fri → Thu
    assert reminders.remind_from(local(2026, 12, 7)) == local(2026, 12, 4)  # Mon → Fri
    # Tuesday 29 December 2026: Monday 28 (Boxing Day's substitute) and Friday 25
    # (Christmas Day) are bank holidays.
    assert reminders.remind_from(local(2026, 12, 29)) == local(2026, 12, 24)
    # A deadline extended to midday keeps its time of day.
    assert reminders.remind_from(local(2026, 12, 8, 12)) == local(2026, 12, 7, 12)


async def reminded(event: Event) -> list[outbox.Queued]:
    return [
        mail for mail in await outbox.queued() if mail.subject.startswith("Reminder: the factual")
    ]


async def test_sent_once_one_working_day_before_the_deadline(make: Factory) -> None:
    world = await open_world(make, PUBLISHED)
    await OutgoingMail.delete(force=True)  # the "check is open" mails

    assert await reminders.send_reminders(THURSDAY_5PM - timedelta(minutes=1)) == 0
    assert await OutgoingMail.count() == 0

    assert await reminders.send_reminders(THURSDAY_5PM) == 1
    mails = await reminded(world.event)
    assert sorted(mail.to for mail in mails) == sorted(
        [world.provider_user.email, world.colleague.email]
    )
    for mail in mails:
        assert mail.subject == (
            "Reminder: the factual accuracy check is due by 5pm on Friday 4 December 2026"
        )
        assert "has not been completed" in mail.text
        assert world.event.event_ref in mail.text
        outbox.only_links_to(mail, f"{outbox.BASE_URL}/events/{world.event.id}/accuracy-check")
    check = await stored(world.event)
    assert clock.aware(check.reminded_for) == DUE
    assert clock.aware(check.reminded_at) == THURSDAY_5PM

    # Later rounds, the same day and the next, send nothing more.
    assert await reminders.send_reminders(THURSDAY_5PM + timedelta(minutes=15)) == 0
    assert await reminders.send_reminders(DUE - timedelta(minutes=1)) == 0
    assert await OutgoingMail.count() == 2
    actions = await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.action == "accuracy check reminder sent"
    )
    assert len(actions) == 1


async def test_not_sent_when_done_closed_or_past_the_deadline(make: Factory) -> None:
    world = await open_world(make, PUBLISHED)
    access = await access_for(world.provider_user, world.event)
    done = Answers(wants_to_comment="no", confirmed=True)
    assert await service.complete(await service.state(access), done) == service.SAVED
    await OutgoingMail.delete(force=True)
    assert await reminders.send_reminders(THURSDAY_5PM) == 0

    other = await open_world(make, PUBLISHED)
    await Event.update({Event.status: "closed"}).where(Event.id == other.event.id)
    assert await reminders.send_reminders(THURSDAY_5PM) == 0

    late = await open_world(make, PUBLISHED)
    await OutgoingMail.delete(force=True)
    assert await reminders.send_reminders(DUE + timedelta(seconds=1)) == 0
    assert await OutgoingMail.count() == 0
    assert (await stored(late.event)).reminded_for is None


async def test_an_extended_deadline_gets_its_own_reminder(make: Factory) -> None:
    world = await open_world(make, PUBLISHED)
    assert await reminders.send_reminders(THURSDAY_5PM) == 1
    new_due = local(2026, 12, 9)  # 5pm Wednesday 9 December
    await service.extend_deadline(world.event.id, new_due, world.admin.id)
    await OutgoingMail.delete(force=True)
    assert await reminders.send_reminders(local(2026, 12, 8, 16)) == 0
    assert await reminders.send_reminders(local(2026, 12, 8, 17)) == 1
    [first, *_] = await reminded(world.event)
    assert "5pm on Wednesday 9 December 2026" in first.subject
    assert await reminders.send_reminders(local(2026, 12, 9, 9)) == 0


async def test_rounds_at_once_send_it_once(make: Factory) -> None:
    """Several processes' rounds at the same moment (the conditional UPDATE decides)."""
    world = await open_world(make, PUBLISHED)
    await OutgoingMail.delete(force=True)
    results = await asyncio.gather(*(reminders.send_reminders(THURSDAY_5PM) for _ in range(4)))
    assert sorted(results) == [0, 0, 0, 1]
    assert len(await reminded(world.event)) == 2  # one mail per provider user


async def test_a_round_that_rolls_back_records_nothing(
    make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await open_world(make, PUBLISHED)
    await OutgoingMail.delete(force=True)

    async def broken(event_id: int, due: datetime) -> None:
        raise RuntimeError("the template is broken")

    monkeypatch.setattr(reminders.notices, "reminder", broken)
    with pytest.raises(RuntimeError):
        await reminders.send_reminders(THURSDAY_5PM)
    assert (await stored(world.event)).reminded_for is None  # tried again next round
    monkeypatch.undo()
    assert await reminders.send_reminders(THURSDAY_5PM) == 1
    assert await AccuracyCheck.count().where(AccuracyCheck.reminded_for.is_not_null()) == 1


async def test_the_periodic_task_of_two_workers_sends_it_once(make: Factory) -> None:
    """Two workers' tasks (`reminders_forever`, as the app starts it), several rounds each:
    one reminder, from whichever took the round's lock."""
    world = await open_world(make)
    due = clock.now() + timedelta(hours=1)  # within a working day, whatever the day
    await AccuracyCheck.update({AccuracyCheck.due_at: due}).where(
        AccuracyCheck.event == world.event.id
    )
    await OutgoingMail.delete(force=True)
    workers = [asyncio.create_task(reminders.reminders_forever(0.05)) for _ in range(2)]
    try:
        for _ in range(100):  # up to 5 s for the first round
            if (await stored(world.event)).reminded_for is not None:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # several more rounds of each
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    assert len(await reminded(world.event)) == 2  # one per provider user, once
