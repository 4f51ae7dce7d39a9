"""Code of conduct rules: reading it, concerns, evidence confirmation, complaints
information and the event's evidence record. No Litestar here."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from portal import audit
from portal.clock import aware, now
from portal.conduct import notices
from portal.conduct.tables import Concern, ConductReading, EvidenceConfirmation
from portal.db.prepared import Param, Prepared
from portal.db.tables import Event, TeamMember
from portal.documents.api import has_published
from portal.receipts.api import record as record_submission
from portal.spreadsheet import to_csv
from portal.web.access import EventAccess

COMPLAINTS_URL = "https://www.gov.uk/government/publications/complaints-about-ofsted"
CODE_URL = "https://www.gov.uk/government/publications/ofsted-code-of-conduct"
SUMMARY_TEXT = 200  # characters of a concern on 'Activity and receipts'
ANSWERS = {
    "all_provided": "All relevant evidence has been provided or made available",
    "outstanding": "Some evidence is still outstanding",
}


@dataclass(frozen=True)
class Permissions:
    """What this user may do with the code of conduct on this event."""

    confirm_reading: bool
    raise_concern: bool
    respond: bool
    request_evidence: bool
    answer_evidence: bool
    read_record: bool


def permissions(access: EventAccess) -> Permissions:
    open_ = not access.closed
    return Permissions(
        confirm_reading=access.is_provider and open_,
        raise_concern=access.is_provider and open_,
        respond=access.is_lead and open_,
        request_evidence=access.is_inspector and open_,
        answer_evidence=access.is_provider and open_,
        read_record=access.is_inspector or access.is_admin,
    )


# -- reading the code ---------------------------------------------------------------


_READINGS = Prepared(
    ConductReading.select(
        ConductReading.id,
        ConductReading.read_at,
        ConductReading.user.id.as_alias("user_id"),
        ConductReading.user.display_name.as_alias("name"),
    )
    .where(ConductReading.event == Param("event"))
    .order_by(ConductReading.read_at)
)


async def readings(event_id: int) -> list[dict[str, Any]]:
    return await _READINGS.rows(event=event_id)


async def confirm_reading(event_id: int, user_id: int) -> bool:
    """Record that this user has read the code; False if they had already said so."""
    exists = await ConductReading.exists().where(
        (ConductReading.event == event_id) & (ConductReading.user == user_id)
    )
    if exists:
        return False
    await ConductReading(event=event_id, user=user_id, read_at=now()).save()
    await audit.record("code of conduct read", actor=user_id, event=event_id)
    return True


# -- concerns -----------------------------------------------------------------------

CONCERN_COLUMNS = (
    Concern.id,
    Concern.text,
    Concern.raised_at,
    Concern.follow_up_of,
    Concern.response,
    Concern.action_taken,
    Concern.responded_at,
    Concern.raised_by.display_name.as_alias("raised_by_name"),
    Concern.responded_by.display_name.as_alias("responded_by_name"),
)


_CONCERNS = Prepared(
    Concern.select(*CONCERN_COLUMNS)
    .where(Concern.event == Param("event"))
    .order_by(Concern.raised_at)
    .order_by(Concern.id)
)


async def concerns(event_id: int) -> list[dict[str, Any]]:
    rows = await _CONCERNS.rows(event=event_id)
    for number, row in enumerate(rows, start=1):
        row["number"] = number
    numbers = {row["id"]: row["number"] for row in rows}
    for row in rows:
        row["follow_up_number"] = numbers.get(row["follow_up_of"])
    return rows


async def concern(event_id: int, concern_id: int) -> dict[str, Any] | None:
    for row in await concerns(event_id):
        if row["id"] == concern_id:
            return row
    return None


async def has_lead(event_id: int) -> bool:
    """Whether a concern raised now goes to a lead inspector (else to the administrators)."""
    return bool(
        await TeamMember.exists().where(
            (TeamMember.event == event_id)
            & (TeamMember.team_role == "lead")
            & (TeamMember.user.active.eq(True))
        )
    )


async def raise_concern(access: EventAccess, text: str, *, follow_up_of: int | None) -> str:
    """Record the concern and, in the same transaction, email the lead inspector (the
    support administrators when the event has none). Its reference (portal.receipts)."""
    event = access.event
    if follow_up_of is not None and await concern(event.id, follow_up_of) is None:
        follow_up_of = None
    async with Concern._meta.db.transaction():
        row = Concern(
            event=event.id,
            raised_by=access.user.id,
            raised_at=now(),
            text=text,
            follow_up_of=follow_up_of,
        )
        await row.save()
        await audit.record(
            "concern raised",
            actor=access.user.id,
            event=event.id,
            detail=f"concern {row.id}"
            + (f", a follow-up to {follow_up_of}" if follow_up_of else ""),
        )
        await notices.concern_raised(
            event.id,
            row.id,
            access.user.display_name,
            text,
            follow_up=follow_up_of is not None,
        )
        what = "A follow-up concern" if follow_up_of else "A concern"
        excerpt = text if len(text) <= SUMMARY_TEXT else text[: SUMMARY_TEXT - 1] + "…"
        return await record_submission(event.id, access.user.id, "concern", f"{what}: {excerpt}")


async def respond(access: EventAccess, concern_id: int, response: str, action: str) -> bool:
    """Record the lead inspector's response once: False (nothing written) if it has one.
    The provider's users are emailed in the same transaction."""
    async with Concern._meta.db.transaction():
        return await _respond(access, concern_id, response, action)


async def _respond(access: EventAccess, concern_id: int, response: str, action: str) -> bool:
    updated = await (
        Concern.update(
            {
                Concern.response: response,
                Concern.action_taken: action,
                Concern.responded_by: access.user.id,
                Concern.responded_at: now(),
            }
        )
        .where(
            (Concern.id == concern_id)
            & (Concern.event == access.event.id)
            & (Concern.responded_at.is_null())
        )
        .returning(Concern.id)
    )
    if not updated:
        return False
    await audit.record(
        "concern answered",
        actor=access.user.id,
        event=access.event.id,
        detail=f"concern {concern_id}",
    )
    await notices.concern_answered(
        access.event.id, concern_id, access.user.display_name, response, action
    )
    return True


# -- evidence confirmation ----------------------------------------------------------


_EVIDENCE_REQUESTS = Prepared(
    EvidenceConfirmation.select(
        EvidenceConfirmation.id,
        EvidenceConfirmation.requested_at,
        EvidenceConfirmation.message,
        EvidenceConfirmation.answer,
        EvidenceConfirmation.outstanding,
        EvidenceConfirmation.answered_at,
        EvidenceConfirmation.requested_by.display_name.as_alias("requested_by_name"),
        EvidenceConfirmation.answered_by.display_name.as_alias("answered_by_name"),
    )
    .where(EvidenceConfirmation.event == Param("event"))
    .order_by(EvidenceConfirmation.requested_at)
    .order_by(EvidenceConfirmation.id)
)


async def evidence_requests(event_id: int) -> list[dict[str, Any]]:
    rows = await _EVIDENCE_REQUESTS.rows(event=event_id)
    for number, row in enumerate(rows, start=1):
        row["number"] = number
    return rows


async def evidence_request(event_id: int, request_id: int) -> dict[str, Any] | None:
    for row in await evidence_requests(event_id):
        if row["id"] == request_id:
            return row
    return None


async def request_evidence(access: EventAccess, message: str) -> int:
    """Record the request and, in the same transaction, email the provider's users."""
    event = access.event
    async with EvidenceConfirmation._meta.db.transaction():
        row = EvidenceConfirmation(
            event=event.id, requested_by=access.user.id, requested_at=now(), message=message
        )
        await row.save()
        await audit.record(
            "evidence confirmation requested",
            actor=access.user.id,
            event=event.id,
            detail=f"request {row.id}",
        )
        await notices.evidence_requested(event.id, row.id, access.user.display_name, message)
    return row.id


async def answer_evidence(
    access: EventAccess, request_id: int, answer: str, outstanding: str
) -> str | None:
    """Record the provider's answer once: its reference (portal.receipts), or None
    (nothing written) if it has one. The inspector who asked is emailed in the same
    transaction."""
    async with EvidenceConfirmation._meta.db.transaction():
        return await _answer_evidence(access, request_id, answer, outstanding)


async def _answer_evidence(
    access: EventAccess, request_id: int, answer: str, outstanding: str
) -> str | None:
    updated = await (
        EvidenceConfirmation.update(
            {
                EvidenceConfirmation.answer: answer,
                EvidenceConfirmation.outstanding: outstanding if answer == "outstanding" else "",
                EvidenceConfirmation.answered_by: access.user.id,
                EvidenceConfirmation.answered_at: now(),
            }
        )
        .where(
            (EvidenceConfirmation.id == request_id)
            & (EvidenceConfirmation.event == access.event.id)
            & (EvidenceConfirmation.answered_at.is_null())
        )
        .returning(EvidenceConfirmation.id, EvidenceConfirmation.requested_by)
    )
    if not updated:
        return None
    await audit.record(
        "evidence confirmation answered",
        actor=access.user.id,
        event=access.event.id,
        detail=f"request {request_id}: {answer}",
    )
    await notices.evidence_answered(
        access.event.id,
        request_id,
        updated[0]["requested_by"],
        access.user.display_name,
        ANSWERS.get(answer, answer),
        outstanding if answer == "outstanding" else "",
    )
    said = ANSWERS.get(answer, answer) + (f": {outstanding}" if answer == "outstanding" else "")
    return await record_submission(access.event.id, access.user.id, "evidence", said)


# -- complaints -----------------------------------------------------------------------


async def final_report_published(event_id: int) -> bool:
    return bool(await has_published(event_id, "final_report"))


# -- the profile page's section and the evidence record -----------------------------


@dataclass
class Section:
    can: Permissions
    readings: list[dict[str, Any]]
    read_by_me: dict[str, Any] | None
    concerns: list[dict[str, Any]]
    requests: list[dict[str, Any]]
    complaints: bool
    complaints_url: str = COMPLAINTS_URL
    answers: dict[str, str] = field(default_factory=lambda: dict(ANSWERS))


async def section(access: EventAccess) -> Section:
    event_id = access.event.id
    read, raised, requests, complaints = await asyncio.gather(
        readings(event_id),
        concerns(event_id),
        evidence_requests(event_id),
        final_report_published(event_id),
    )
    mine = next((row for row in read if row["user_id"] == access.user.id), None)
    return Section(
        can=permissions(access),
        readings=read,
        read_by_me=mine,
        concerns=raised,
        requests=requests,
        complaints=complaints,
    )


async def evidence_record(event: Event) -> list[dict[str, Any]]:
    """Everything recorded under the code for this event, oldest first."""
    entries: list[dict[str, Any]] = []
    for row in await readings(event.id):
        entries.append(
            {
                "at": row["read_at"],
                "what": "Code of conduct read",
                "who": row["name"],
                "text": "Confirmed they have read the code of conduct.",
            }
        )
    for row in await concerns(event.id):
        follow = (
            f" (follow-up to concern {row['follow_up_number']})" if row["follow_up_number"] else ""
        )
        entries.append(
            {
                "at": row["raised_at"],
                "what": f"Concern {row['number']} raised{follow}",
                "who": row["raised_by_name"],
                "text": row["text"],
            }
        )
        if row["responded_at"]:
            entries.append(
                {
                    "at": row["responded_at"],
                    "what": f"Response to concern {row['number']}",
                    "who": row["responded_by_name"],
                    "text": f"Response: {row['response']}\nAction taken: {row['action_taken']}",
                }
            )
    for row in await evidence_requests(event.id):
        entries.append(
            {
                "at": row["requested_at"],
                "what": "Evidence confirmation requested",
                "who": row["requested_by_name"],
                "text": row["message"]
                or "Asked the provider to confirm they have provided, "
                "or given access to, all relevant evidence.",
            }
        )
        if row["answered_at"]:
            text = ANSWERS.get(row["answer"], row["answer"]) + "."
            if row["answer"] == "outstanding":
                text += f"\nStill outstanding: {row['outstanding']}"
            entries.append(
                {
                    "at": row["answered_at"],
                    "what": "Evidence confirmation answered",
                    "who": row["answered_by_name"],
                    "text": text,
                }
            )
    entries.sort(key=lambda entry: aware(entry["at"]))
    return entries


def evidence_record_csv(event: Event, entries: list[dict[str, Any]]) -> str:
    return to_csv(
        ["Event ID", "When (UTC)", "What", "Who", "Details"],
        (
            [
                event.event_ref,
                aware(entry["at"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                entry["what"],
                entry["who"],
                entry["text"],
            ]
            for entry in entries
        ),
    )
