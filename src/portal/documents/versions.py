"""Published reports are records. Once a draft report is published (the factual accuracy
check has started) or a final report is published, it is never deleted: saving a new
one of the same kind publishes the next version (1, 2, …) and the one before stays,
listed and downloadable, as superseded. Before it is published (a staged upload) a
report can be removed as any document can. No Litestar here: rules and queries only."""

from __future__ import annotations

from datetime import datetime

from portal import audit
from portal.db.engine import locks_rows
from portal.db.tables import DOCUMENT_KINDS, Document, Event
from portal.validation import Refused
from portal.web.access import EventAccess

REPORT_KINDS = ("draft_report", "final_report")
PUBLISHED = ("live", "pending_delete")  # pending_delete is live until Save
SAVED_VERSIONS = (*PUBLISHED, "superseded")
# A refused delete's message goes next to the kind of document to upload instead.
KIND_FIELD = "kind"


def is_record(document: Document) -> bool:
    """A published report, or an earlier version of one: kept for good."""
    return is_record_row(document.side, document.kind, document.state)


def is_record_row(side: str, kind: str, state: str) -> bool:
    return side == "ofsted" and kind in REPORT_KINDS and state in SAVED_VERSIONS


def _name(kind: str) -> str:
    return DOCUMENT_KINDS.get(kind, "report").lower()


def delete_refusal(document: Document) -> Refused | None:
    """Why this document cannot be deleted, or None when it can."""
    if not is_record(document):
        return None
    name = _name(document.kind)
    file_name = document.file_name
    if document.state == "superseded":
        return Refused(
            f"You cannot delete ‘{file_name}’. It is an earlier version of the {name} "
            "and is kept as a record.",
            KIND_FIELD,
        )
    started = (
        " and the factual accuracy check has started" if document.kind == "draft_report" else ""
    )
    return Refused(
        f"You cannot delete ‘{file_name}’ because the {name} has been published{started}. "
        f"To replace it, upload the new version as a {name} and select Save.",
        KIND_FIELD,
    )


async def refuse_delete(access: EventAccess, document: Document) -> None:
    """Raise the refusal (audited, nothing else written) if this document is a record."""
    refusal = delete_refusal(document)
    if refusal is None:
        return
    await _audit(
        access,
        "document delete refused",
        f"ofsted document {document.id} '{document.file_name}': a published "
        f"{_name(document.kind)} is a record ({document.state})",
    )
    raise refusal


async def keep_records(access: EventAccess, deleted: list[Document]) -> list[Document]:
    """At Save, inside its transaction: deletes staged of published reports (staged
    before reports were records) are not made; those reports stay live. The rest."""
    records = [doc for doc in deleted if is_record(doc)]
    if not records:
        return deleted
    await Document.update({Document.state: "live", Document.staged_by: None}).where(
        Document.id.is_in([doc.id for doc in records]) & (Document.state == "pending_delete")
    )
    for doc in records:
        await _audit(
            access,
            "document delete refused",
            f"ofsted document {doc.id} '{doc.file_name}': a published "
            f"{_name(doc.kind)} is a record, kept at Save",
        )
    return [doc for doc in deleted if not is_record(doc)]


async def publish(access: EventAccess, uploaded: list[Document], at: datetime) -> None:
    """At Save, inside its transaction, once `uploaded` are live: each report among them
    is the next version of its kind on the event, and the version that was published
    before it is superseded (kept). The event's row is locked on PostgreSQL so two
    Saves at once cannot take the same number (SQLite has one writer)."""
    reports = sorted(
        (doc for doc in uploaded if doc.side == "ofsted" and doc.kind in REPORT_KINDS),
        key=lambda doc: doc.id,
    )
    if not reports:
        return
    db = Document._meta.db
    if locks_rows(db):
        await Event.select(Event.id).where(Event.id == access.event.id).lock_rows()
    for doc in reports:
        await _next_version(access, doc, at)


async def _next_version(access: EventAccess, document: Document, at: datetime) -> None:
    earlier = await Document.select(
        Document.id, Document.file_name, Document.version, Document.state
    ).where(
        (Document.event == access.event.id)
        & (Document.side == "ofsted")
        & (Document.kind == document.kind)
        & (Document.state.is_in(list(SAVED_VERSIONS)))
        & (Document.id != document.id)
    )
    # A report published before versions were numbered counts as version 1.
    version = max((row["version"] or 1 for row in earlier), default=0) + 1
    current = [row for row in earlier if row["state"] in PUBLISHED]
    if current:
        await Document.update(
            {Document.state: "superseded", Document.superseded_at: at, Document.staged_by: None}
        ).where(Document.id.is_in([row["id"] for row in current]))
    await Document.update({Document.version: version}).where(Document.id == document.id)
    document.version = version
    name = _name(document.kind)
    await _audit(
        access,
        "report published",
        f"{name} version {version}: ofsted document {document.id} '{document.file_name}'",
    )
    for row in current:
        await _audit(
            access,
            "report superseded",
            f"{name} version {row['version'] or 1}: ofsted document {row['id']} "
            f"'{row['file_name']}', superseded by version {version}",
        )


async def _audit(access: EventAccess, action: str, detail: str) -> None:
    """A line in the event's audit log, by the user making the change."""
    await audit.record(action, actor=access.user.id, event=access.event.id, detail=detail)
