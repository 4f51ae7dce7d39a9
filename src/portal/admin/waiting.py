"""What waits for the administrator ('Waiting'), and the outgoing mail ('Mail'): its
recent messages a page at a time, and a failed one sent again. No Litestar here."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal import audit, clock, mail
from portal.accuracy.api import checks_near_deadline
from portal.admin.service import Keyset, _paged
from portal.conduct.api import concerns_without_lead
from portal.db.tables import OutgoingMail
from portal.web.paging import Page, Position

MAIL_STATUSES = {"failed": "Failed", "queued": "Queued", "sent": "Sent"}
MAIL_ORDER = Keyset((OutgoingMail.id,), ascending=False)  # newest first, off the primary key
FAILED_SHOWN = 10  # the Waiting page's newest failed messages; the Mail page has them all


@dataclass
class Waiting:
    concerns: list[dict[str, Any]]  # unanswered, on open events with no lead inspector
    checks: list[dict[str, Any]]  # not Done, deadline within 2 working days
    failed_mail: list[OutgoingMail]  # the newest FAILED_SHOWN of them


async def waiting(now: datetime | None = None) -> Waiting:
    now = now or clock.now()
    concerns, checks, failed = await asyncio.gather(
        concerns_without_lead(), checks_near_deadline(now), mail.failed_mail(FAILED_SHOWN)
    )
    for check in checks:
        check["deadline_text"] = clock.format_deadline(check["deadline"])
    return Waiting(concerns=concerns, checks=checks, failed_mail=failed)


def mail_where(status: str) -> Any:
    return OutgoingMail.status == status if status in MAIL_STATUSES else None


async def mail_page(status: str = "", at: Position | int = 1) -> Page:
    """Recent outgoing mail, newest first, a page at a time (keyset on the id)."""
    return await _paged(
        lambda: OutgoingMail.select(
            OutgoingMail.id,
            OutgoingMail.to_address,
            OutgoingMail.subject,
            OutgoingMail.status,
            OutgoingMail.attempts,
            OutgoingMail.last_error,
            OutgoingMail.created_at,
            OutgoingMail.sent_at,
        ),
        MAIL_ORDER,
        mail_where(status),
        at,
    )


async def find_mail(mail_id: int) -> dict[str, Any] | None:
    return await (
        OutgoingMail.select(OutgoingMail.id, OutgoingMail.to_address, OutgoingMail.status)
        .where(OutgoingMail.id == mail_id)
        .first()
    )


async def retry_mail(mail_id: int, actor_id: int) -> bool:
    """Queue a failed message again (mail.retry, as `portal retry-mail` does), audited.
    False, and nothing written, when the message is not failed (already retried or sent)."""
    found = await find_mail(mail_id)
    if found is None or not await mail.retry(mail_id):
        return False
    await audit.record(
        "mail retried", actor=actor_id, detail=f"message {mail_id} to {found['to_address']}"
    )
    return True
