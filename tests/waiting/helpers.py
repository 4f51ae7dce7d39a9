"""Rows for what-is-waiting tests: checks, concerns, evidence requests, mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.accuracy.tables import AccuracyCheck
from portal.conduct.tables import Concern, EvidenceConfirmation
from portal.db.tables import Event, OutgoingMail, User


async def check(
    event: Event,
    due_at: datetime,
    *,
    status: str = "not_started",
    extended_due_at: datetime | None = None,
) -> AccuracyCheck:
    row = AccuracyCheck(
        event=event.id,
        opened_at=due_at - timedelta(days=7),
        due_at=due_at,
        extended_due_at=extended_due_at,
        status=status,
    )
    await row.save()
    return row


async def concern(event: Event, by: User, *, answered: bool = False, text: str = "") -> Concern:
    row = Concern(event=event.id, raised_by=by.id, text=text or f"A concern on {event.event_ref}")
    if answered:
        row.response = "Sorry."
        row.responded_at = datetime.now(UTC)
    await row.save()
    return row


async def evidence_request(event: Event, by: User, *, answered: bool = False) -> None:
    row = EvidenceConfirmation(event=event.id, requested_by=by.id, message="Please confirm.")
    if answered:
        row.answer = "all_provided"
        row.answered_at = datetime.now(UTC)
    await row.save()


async def mail(status: str, *, to: str = "priya@example.org", subject: str = "Hello") -> int:
    row = OutgoingMail(
        to_address=to,
        subject=subject,
        text_body="Hi",
        status=status,
        attempts=5 if status == "failed" else 1,
        last_error="SMTPRecipientsRefused: no such mailbox" if status == "failed" else "",
    )
    await row.save()
    return row.id
