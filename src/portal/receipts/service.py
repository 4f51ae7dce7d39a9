"""References and receipts: every submission on an event is stored with a short
reference a provider can quote on the phone, and listed on 'Activity and receipts'.
No Litestar here."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal import clock
from portal.db.prepared import Param, Prepared
from portal.receipts.tables import Submission
from portal.web.access import EventAccess

# What a submission is, as the activity page names it.
KINDS = {
    "documents": "Documents saved",
    "accuracy": "Factual accuracy check completed",
    "survey": "Survey saved",
    "concern": "Concern raised",
    "evidence": "Evidence confirmation answered",
}
# Read aloud on the phone: no 0/O, 1/I/L to mix up.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS = 2
GROUP_LENGTH = 4
PREFIX = "PP"
TRIES = 8  # 31**8 (about 850 billion) references: a clash is rare, eight in a row is not


def new_reference() -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join((PREFIX, *groups))


def normal(reference: str) -> str:
    """A reference as typed or read out ("pp-7k3m-q9td") as it is stored."""
    return reference.strip().upper()


async def _unused_reference() -> str:
    # Looked up before the insert, not caught after it: on PostgreSQL a failed insert
    # would abort the submitting transaction this row is part of.
    for _ in range(TRIES):
        reference = new_reference()
        if not await Submission.exists().where(Submission.reference == reference):
            return reference
    raise RuntimeError("no unused submission reference after several tries")


def with_reference(message: str, reference: str | None) -> str:
    """A confirmation as the user sees it, with the reference to quote."""
    if not reference:
        return message
    return f"{message.rstrip('.')}. Your reference is {reference}"


def file_details(name: str, size: int, sha256: str) -> dict[str, Any]:
    return {"name": name, "size": int(size), "sha256": sha256}


async def record(
    event_id: int,
    actor_id: int | None,
    kind: str,
    summary: str,
    files: list[dict[str, Any]] | None = None,
    at: datetime | None = None,
) -> str:
    """Store one submission and return its reference. Call it inside the transaction
    that makes the submission, so that a rolled back submission leaves no receipt."""
    if kind not in KINDS:
        raise ValueError(f"unknown submission kind {kind!r}")
    reference = await _unused_reference()
    details = {"files": [file_details(f["name"], f["size"], f["sha256"]) for f in files or []]}
    await Submission.insert(
        Submission(
            event=event_id,
            kind=kind,
            reference=reference,
            actor=actor_id,
            at=at or clock.now(),
            summary=summary[:2000],
            details=details,
        )
    )
    return reference


@dataclass(frozen=True)
class Receipt:
    reference: str
    kind: str
    what: str  # the kind as people read it
    summary: str
    at: datetime
    who: str
    files: list[dict[str, Any]] = field(default_factory=list)


def may_read(access: EventAccess) -> bool:
    """The event's provider users, its Ofsted team and the support administrators."""
    return access.is_provider or access.is_inspector or access.is_admin


_COLUMNS = (
    Submission.reference,
    Submission.kind,
    Submission.summary,
    Submission.at,
    Submission.details,
    Submission.actor.display_name.as_alias("who"),
)
_LIST = Prepared(
    Submission.select(*_COLUMNS)
    .where(Submission.event == Param("event"))
    .order_by(Submission.at, ascending=False)
    .order_by(Submission.id, ascending=False)
)
_ONE = Prepared(
    Submission.select(*_COLUMNS).where(
        (Submission.event == Param("event")) & (Submission.reference == Param("reference"))
    )
)


def _receipt(row: dict[str, Any]) -> Receipt:
    details = row["details"]
    if isinstance(details, str):
        details = json.loads(details)
    return Receipt(
        reference=row["reference"],
        kind=row["kind"],
        what=KINDS.get(row["kind"], row["kind"]),
        summary=row["summary"],
        at=clock.aware(row["at"]) or row["at"],
        who=row["who"] or "A former user",
        files=list((details or {}).get("files", [])),
    )


async def activity(event_id: int) -> list[Receipt]:
    """Every submission on the event, newest first."""
    return [_receipt(row) for row in await _LIST.rows(event=event_id)]


async def latest_reference(event_id: int, kind: str) -> str | None:
    """The newest reference of this kind on the event (the completed check's, say)."""
    row = await (
        Submission.select(Submission.reference)
        .where((Submission.event == event_id) & (Submission.kind == kind))
        .order_by(Submission.id, ascending=False)
        .first()
    )
    return row["reference"] if row else None


async def find(event_id: int, reference: str) -> Receipt | None:
    row = await _ONE.first(event=event_id, reference=normal(reference))
    return _receipt(row) if row else None
