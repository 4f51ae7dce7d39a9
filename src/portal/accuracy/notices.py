"""The factual accuracy check's emails: opened (the draft report is out), the reminder a
working day before the deadline, and 'Done' (a receipt to the provider's users, a notice
to the lead inspector). Each is queued inside the caller's transaction (`notify.send`
opens none), so a change that rolls back leaves no mail."""

from __future__ import annotations

from datetime import datetime

from portal import clock, links, notify
from portal.accuracy.forms import ANSWERS, CONFIRMATION, QUESTION, Answers


def check_link(event_id: int) -> str:
    return links.url("accuracy.form", event_id=event_id)


async def opened(event_id: int, due: datetime) -> None:
    """The draft report is published: every provider user hears the check is open."""
    await _check_due("accuracy_check_open", event_id, due)


async def reminder(event_id: int, due: datetime) -> None:
    await _check_due("accuracy_check_reminder", event_id, due)


async def _check_due(message: str, event_id: int, due: datetime) -> None:
    """To every provider user: the check, its link and when it is due."""
    await notify.send_about(
        event_id,
        message,
        to=await notify.provider_users(event_id),
        due=clock.format_deadline(due),
        link=check_link(event_id),
    )


async def completed(
    event_id: int, completed_by: str, answers: Answers, at: datetime, reference: str = ""
) -> None:
    """'Done': what was sent, to every provider user (their receipt), and the lead
    inspector's notice."""
    facts = await notify.event_facts(event_id)
    shared = {
        "completed_by": completed_by,
        "completed_at": clock.format_datetime(at),
        "reference": reference,
        "link": check_link(event_id),
        **facts,
    }
    await notify.send(
        "accuracy_check_receipt",
        to=await notify.provider_users(event_id),
        question=QUESTION,
        answer=ANSWERS.get(answers.wants_to_comment, "Not answered"),
        confirmation=CONFIRMATION,
        confirmed="Yes" if answers.confirmed else "No",
        comments=answers.comments.strip() or "None",
        receipt_link=receipt_link(event_id, reference),
        **shared,
    )
    await notify.send(
        "accuracy_check_completed",
        to=await notify.lead_inspectors(event_id),
        wants_to_comment=answers.wants_to_comment == "yes",
        **shared,
    )


def receipt_link(event_id: int, reference: str) -> str:
    """The printable receipt's address (the receipts feature's page), when there is one."""
    if not reference:
        return ""
    return links.url("receipts.receipt", event_id=event_id, reference=reference)
