"""The reminder one working day before a factual accuracy check's deadline, to the
provider's users, if the check is not Done.

Sent once per deadline: the check records the deadline it reminded about
(`reminded_for`) in the same transaction that queues the mail, with a conditional UPDATE,
so two workers, or a worker and `portal send-reminders` from cron, never both send it. A
deadline the administrator extends afterwards gets its own reminder. The periodic task
also takes a lock (`locks.run_once`) so that only one process does the round's work."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from portal import audit, clock, locks
from portal.accuracy import notices
from portal.accuracy.tables import AccuracyCheck
from portal.db.engine import serialising_transaction

log = logging.getLogger("portal.reminders")
JOB = "accuracy-reminders"


def remind_from(due: datetime) -> datetime:
    """One working day before `due`: the same time of day on the working day before it
    (5pm on Thursday for a check due by 5pm on Friday; on Friday for one due on Monday)."""
    when = clock.local(due)
    day = when.date() - timedelta(days=1)
    while not clock.is_working_day(day):
        day -= timedelta(days=1)
    return datetime.combine(day, when.time(), tzinfo=clock.LONDON)


def deadline_of(row: dict[str, Any]) -> datetime:
    due = clock.aware(row["extended_due_at"] or row["due_at"])
    assert due is not None
    return due


async def _remind(row: dict[str, Any], due: datetime, now: datetime) -> bool:
    """Record and queue one reminder in one transaction; False if another process has
    already reminded about this deadline (or the check was completed meanwhile)."""
    check_id, event_id = row["id"], row["event"]
    async with serialising_transaction(AccuracyCheck._meta.db):
        claimed = await (
            AccuracyCheck.update({AccuracyCheck.reminded_for: due, AccuracyCheck.reminded_at: now})
            .where(
                (AccuracyCheck.id == check_id)
                & (AccuracyCheck.status != "completed")
                & (AccuracyCheck.reminded_for.is_null() | (AccuracyCheck.reminded_for != due))
            )
            .returning(AccuracyCheck.id)
        )
        if not claimed:
            return False
        await notices.reminder(event_id, due)
        await audit.record(
            "accuracy check reminder sent",
            actor=None,
            event=event_id,
            detail=f"due by {clock.format_deadline(due)}",
        )
    return True


async def send_reminders(now: datetime | None = None) -> int:
    """Remind about every open check whose deadline is a working day away or less and
    not yet passed; the number of checks reminded about."""
    now = now or clock.now()
    rows = await AccuracyCheck.select(
        AccuracyCheck.id,
        AccuracyCheck.event,
        AccuracyCheck.due_at,
        AccuracyCheck.extended_due_at,
        AccuracyCheck.reminded_for,
    ).where((AccuracyCheck.status != "completed") & (AccuracyCheck.event.status != "closed"))
    sent = 0
    for row in rows:
        due = deadline_of(row)
        if not remind_from(due) <= now < due:
            continue
        if clock.aware(row["reminded_for"]) == due:
            continue  # already reminded about this deadline
        if await _remind(row, due, now):
            sent += 1
    return sent


async def remind_and_log() -> int | None:
    try:
        sent = await send_reminders()
    except Exception as error:  # the database is down: the next round tries again
        log.warning("accuracy check reminders failed: %s: %s", type(error).__name__, error)
        return None
    if sent:
        log.info("sent %d factual accuracy check reminder(s)", sent)
    return sent


async def reminders_forever(
    every_seconds: float, *, redis_url: str = "", redis_prefix: str = "portal:"
) -> None:
    """At start-up, then every `every_seconds`, until cancelled: in whichever process
    takes the lock first; the others skip that round."""
    await locks.every(
        JOB,
        every_seconds,
        remind_and_log,
        log=log,
        what="accuracy check reminders",
        redis_url=redis_url,
        redis_prefix=redis_prefix,
    )
