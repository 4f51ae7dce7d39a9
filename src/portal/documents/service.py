"""Document rules: who sees which document, staging, Save and Cancel.

An upload or a delete is first *staged* for the user who made it (state `staged` or
`pending_delete`, `staged_by` = that user): only that user sees it as a change, and
it survives a reload. Save makes every staged change of that user on that side of
that event live in one transaction; Cancel drops them (and the staged files).
No Litestar here: rules and queries only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal import audit, clock, metrics
from portal.db.engine import locks_rows, serialising_transaction
from portal.db.prepared import Param, Prepared
from portal.db.tables import Document, Event
from portal.documents import forms, publishing, versions
from portal.documents.filetypes import TextCheck, describe, judge
from portal.documents.scan import Clamd, Infected, ScanFailed, ScannerDown
from portal.documents.storage import DocumentStore, StoredFile, TooLarge
from portal.documents.tables import SaveReceipt
from portal.receipts.api import record as record_submission
from portal.settings import Settings
from portal.validation import Refused
from portal.web.access import EventAccess

# pending_delete is live until Save; a superseded report stays, as a record (versions.py)
VISIBLE_TO_ALL = ("live", "pending_delete", "superseded")


async def find_visible(access: EventAccess, document_id: int) -> Document | None:
    """The document if this user may see it on this event: saved documents for anyone
    on the event, and one's own staged uploads."""
    document = (
        await Document.objects()
        .where((Document.id == document_id) & (Document.event == access.event.id))
        .first()
    )
    if document is None:
        return None
    if document.state in VISIBLE_TO_ALL:
        return document
    if document.state == "staged" and document.staged_by == access.user.id:
        return document
    return None


async def has_published(event_id: int, kind: str) -> bool:
    """Is an Ofsted document of this kind saved (live) on the event?"""
    return await Document.exists().where(
        (Document.event == event_id)
        & (Document.side == "ofsted")
        & (Document.kind == kind)
        & (Document.state.is_in(list(VISIBLE_TO_ALL)))
    )


def may_change(access: EventAccess, side: str) -> bool:
    if side == "ofsted":
        return access.can_change_ofsted_documents
    return access.can_change_provider_documents


_SCREEN_ROWS = Prepared(
    Document.select(
        Document.id,
        Document.kind,
        Document.file_name,
        Document.size,
        Document.state,
        Document.staged_by,
        Document.saved_at,
        Document.uploaded_at,
        Document.uploaded_by.display_name.as_alias("uploaded_by_name"),
        Document.side,
        Document.version,
        Document.superseded_at,
    )
    .where(
        (Document.event == Param("event"))
        & (Document.side == Param("side"))
        & (
            Document.state.is_in(list(VISIBLE_TO_ALL))
            | ((Document.state == "staged") & (Document.staged_by == Param("user")))
        )
    )
    .order_by(Document.uploaded_at)
    .order_by(Document.id)
)


async def documents_for(access: EventAccess, side: str) -> list[dict[str, Any]]:
    """What the 'Documents Uploaded by …' screen lists for this user: saved documents,
    and this user's own staged uploads and deletes, marked as such."""
    user_id = access.user.id
    rows = await _SCREEN_ROWS.rows(event=access.event.id, side=side, user=user_id)
    for row in rows:
        row["not_saved"] = row["state"] == "staged"
        row["to_delete"] = row["state"] == "pending_delete" and row["staged_by"] == user_id
        row["superseded"] = row["state"] == "superseded"
        row["record"] = versions.is_record_row(row["side"], row["kind"], row["state"])
    return rows


async def _record(access: EventAccess, action: str, detail: str) -> None:
    """This user's change to this event's documents, in the audit log."""
    await audit.record(action, actor=access.user.id, event=access.event.id, detail=detail)


def _own_changes(access: EventAccess, side: str) -> Any:
    return (
        (Document.event == access.event.id)
        & (Document.side == side)
        & (Document.staged_by == access.user.id)
        & (Document.state.is_in(["staged", "pending_delete"]))
    )


@dataclass(frozen=True)
class Usage:
    count: int
    total_bytes: int


async def usage(access: EventAccess, side: str) -> Usage:
    """What counts against the event's limits on this side: saved documents, and
    anyone's staged uploads, but not this user's own pending deletes (Save applies
    those together with this user's uploads, and Cancel drops both)."""
    rows = await Document.select(Document.size).where(
        (Document.event == access.event.id)
        & (Document.side == side)
        & (
            Document.state.is_in(["live", "staged", "superseded"])  # superseded: kept files
            | ((Document.state == "pending_delete") & (Document.staged_by != access.user.id))
        )
    )
    return Usage(count=len(rows), total_bytes=sum(row["size"] for row in rows))


@dataclass(frozen=True)
class Limits:
    """An event's limits on each side: how many documents, how many bytes in all, and
    how large one file may be."""

    max_files: int
    quota_bytes: int
    file_bytes: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.event_max_files, settings.event_quota_bytes, settings.upload_max_bytes)


def _over_limit(
    access: EventAccess, used: Usage, stored: StoredFile, file_name: str, limits: Limits
) -> Refused | None:
    """The refusal if one more file would pass the event's limits. The file is named:
    it may be one of several sent at once."""
    if used.count + 1 > limits.max_files:
        return Refused(forms.too_many(limits.max_files, access.event.event_type), forms.FILE_FIELD)
    if used.total_bytes + stored.size > limits.quota_bytes:
        return Refused(_quota_message(access, file_name, True, limits), forms.FILE_FIELD)
    return None


def _quota_message(access: EventAccess, name: str, several: bool, limits: Limits) -> str:
    return forms.over_quota(name, several, limits.quota_bytes, access.event.event_type)


async def stage_upload(
    access: EventAccess,
    side: str,
    stored: StoredFile,
    *,
    file_name: str,
    content_type: str,
    limits: Limits,
    kind: str = "other",
) -> Document:
    """A complete stored file becomes a staged document of this user, if the event's
    limits still allow it (else `Refused`, on the file field). The limits were checked
    before the file streamed in, but a colleague may have staged a file meanwhile: the
    check is made again here, with the event locked, so two uploads at the limit cannot
    both get in."""
    db = Document._meta.db
    async with serialising_transaction(db):
        if locks_rows(db):
            await Event.select(Event.id).where(Event.id == access.event.id).lock_rows()
        refusal = _over_limit(access, await usage(access, side), stored, file_name, limits)
        if refusal is not None:
            raise refusal
        row = Document(
            event=access.event.id,
            side=side,
            kind=kind if side == "ofsted" else "other",
            file_name=file_name,
            stored_name=stored.stored_name,
            size=stored.size,
            sha256=stored.sha256,
            content_type=content_type,
            uploaded_by=access.user.id,
            uploaded_at=clock.now(),
            state="staged",
            staged_by=access.user.id,
        )
        await row.save()
        await _record(
            access,
            "document uploaded (not saved)",
            f"{side} document {row.id} '{file_name}' ({stored.size} bytes, "
            f"sha256 {stored.sha256}, {content_type}, kind {row.kind})",
        )
    return row


# A refused file's message, worded once the request is read: "The selected file …" for
# one file, its name when several were sent at once.
Wording = Callable[[bool], str]


@dataclass
class Upload:
    """One upload request on one side of an event. Each file, as it streams in, is
    checked against the event's limits, stored, judged by its content and staged, or
    refused (and the refusal audited); `finish` then says what the user sees."""

    access: EventAccess
    side: str
    store: DocumentStore
    limits: Limits
    scanner: Clamd | None = None  # PORTAL_CLAMD: every file scanned as it streams in
    staged: list[Document] = field(default_factory=list)
    files: int = 0
    missing_kind: bool = False
    refused: list[Wording] = field(default_factory=list)
    _used: Usage | None = None
    _scanner_down: ScannerDown | None = None  # once unreachable, not tried for every file

    async def receive(
        self, given: str, chunks: AsyncIterator[bytes], fields: dict[str, str]
    ) -> None:
        """One file of the form (`read_upload`'s `on_file`); the fields before it are known."""
        self.files += 1
        name = forms.safe_file_name(given)
        if not given:  # a file field left empty: nothing was chosen
            return
        if self.side == "ofsted" and fields.get(forms.KIND_FIELD) not in forms.KINDS:
            self.missing_kind = True
            return
        if self._used is None:
            self._used = await usage(self.access, self.side)
        limits, used = self.limits, self._used
        if used.count + len(self.staged) >= limits.max_files:
            noun = self.access.event.event_type
            return await self._refuse(
                name, "count", lambda _: forms.too_many(limits.max_files, noun)
            )
        remaining = limits.quota_bytes - used.total_bytes - sum(d.size for d in self.staged)
        limit = max(min(limits.file_bytes, remaining), 0)
        text = TextCheck()
        try:
            stored = await self._save(chunks, limit, text)
        except Infected as found:
            return await self._refuse(
                name, f"virus found ({found.signature})", lambda s: forms.infected(name, s)
            )
        except ScanFailed as failure:
            return await self._refuse(
                name, f"not scanned ({failure})", lambda s: forms.not_scanned(name, s)
            )
        except TooLarge:
            if limit == limits.file_bytes:
                return await self._refuse(
                    name, "large", lambda several: forms.too_large(name, several, limit)
                )
            return await self._refuse(
                name, "quota", lambda several: _quota_message(self.access, name, several, limits)
            )
        try:
            await self._keep(name, stored, text.finish(), fields)
        except BaseException:
            # Not recorded (database down, cancelled…): its file must not stay behind.
            with suppress(Exception):
                await self.store.delete(stored.stored_name)
            raise

    async def _save(self, chunks: AsyncIterator[bytes], limit: int, text: TextCheck) -> StoredFile:
        """Stream the file into the store; with a scanner, through it: the store keeps
        the file only once the scanner has called it clean (else Infected/ScanFailed,
        and nothing is kept)."""
        if self.scanner is None:
            return await self.store.save(chunks, max_bytes=limit, observe=text.feed)
        if self._scanner_down is not None:
            raise ScannerDown(str(self._scanner_down))
        try:
            async with self.scanner.scanning(chunks) as scanned:
                return await self.store.save(scanned, max_bytes=limit, observe=text.feed)
        except ScannerDown as down:
            self._scanner_down = down
            raise

    async def _keep(
        self, name: str, stored: StoredFile, is_text: bool, fields: dict[str, str]
    ) -> None:
        """A stored file judged by its content and staged, or deleted and refused."""
        if stored.size == 0:
            await self.store.delete(stored.stored_name)
            return await self._refuse(name, "empty", lambda several: forms.empty(name, several))
        with self.store.reader(stored.stored_name, stored.size) as source:
            verdict = await asyncio.to_thread(judge, source, stored.head, is_text, name)
        content_type = verdict.content_type
        if verdict.refusal is not None or content_type is None:
            await self.store.delete(stored.stored_name)
            if verdict.refusal == "macros":
                return await self._refuse(name, "macros", lambda s: forms.macros(name, s))
            if verdict.refusal == "extension" and content_type is not None:
                return await self._refuse(
                    name,
                    f"extension not of its type ({content_type})",
                    lambda s: forms.wrong_extension(name, s, content_type),
                )
            return await self._refuse(
                name,
                f"type not allowed ({describe(stored.head)})",
                lambda several: forms.wrong_type(name, several),
            )
        try:
            document = await stage_upload(
                self.access,
                self.side,
                stored,
                file_name=name,
                content_type=content_type,
                limits=self.limits,
                kind=fields.get(forms.KIND_FIELD, "other"),
            )
        except Refused as refusal:  # a colleague's upload got in first
            await self.store.delete(stored.stored_name)
            message = refusal.message
            return await self._refuse(name, message, lambda _: message)
        self.staged.append(document)
        metrics.upload_accepted(stored.size)

    async def _refuse(self, name: str, reason: str, wording: Wording) -> None:
        self.refused.append(wording)
        metrics.upload_refused(reason)
        await _record(
            self.access,
            "document upload refused",
            f"{self.side} document '{name}': {reason}",
        )

    def finish(self) -> list[Document]:
        """What was staged; `Refused` (on the kind or the file field) if anything was
        refused or nothing was sent. Files staged beside refused ones stay staged."""
        if self.missing_kind:
            raise Refused(forms.no_kind(), forms.KIND_FIELD)
        several = self.files > 1
        messages = list(dict.fromkeys(wording(several) for wording in self.refused))
        if messages:
            raise Refused(". ".join(messages), forms.FILE_FIELD)
        if not self.staged:
            raise Refused(forms.no_file(), forms.FILE_FIELD)
        return self.staged


async def changeable(access: EventAccess, side: str, document_id: int) -> Document | None:
    """A document this user could stage a delete of (or their own staged upload)."""
    document = await find_visible(access, document_id)
    if document is None or document.side != side:
        return None
    return document


@dataclass(frozen=True)
class DeleteResult:
    ok: bool
    message: str


async def stage_delete(
    access: EventAccess, side: str, document: Document, store: DocumentStore
) -> DeleteResult:
    """'Yes - Delete': a saved document is marked to be deleted at Save; one's own
    upload that was never saved is dropped at once, file and all. A published report
    is never deleted (`Refused`, nothing written): versions.py."""
    await versions.refuse_delete(access, document)
    user_id = access.user.id
    if document.state == "staged":
        deleted = (
            await Document.delete()
            .where(
                (Document.id == document.id)
                & (Document.state == "staged")
                & (Document.staged_by == user_id)
            )
            .returning(Document.id)
        )
        if deleted:
            await store.delete(document.stored_name)
            await _record(
                access,
                "document upload withdrawn (not saved)",
                f"{side} document {document.id} '{document.file_name}'",
            )
        return DeleteResult(True, f"‘{document.file_name}’ has been removed.")
    if document.state == "pending_delete":
        if document.staged_by == user_id:
            return DeleteResult(True, f"‘{document.file_name}’ will be deleted when you save.")
        return DeleteResult(
            False,
            f"Someone else has already deleted ‘{document.file_name}’. "
            "It will go when they save their changes.",
        )
    # live: only if nobody staged a delete in the meantime
    changed = (
        await Document.update({Document.state: "pending_delete", Document.staged_by: user_id})
        .where((Document.id == document.id) & (Document.state == "live"))
        .returning(Document.id)
    )
    if not changed:
        return DeleteResult(False, f"‘{document.file_name}’ has already been changed.")
    await _record(
        access,
        "document delete staged (not saved)",
        f"{side} document {document.id} '{document.file_name}'",
    )
    return DeleteResult(True, f"‘{document.file_name}’ will be deleted when you save.")


@dataclass(frozen=True)
class SaveResult:
    uploaded: list[Document]
    deleted: list[Document]
    receipt_id: int | None
    reference: str | None = None  # the submission's, to quote (portal.receipts)


async def save(access: EventAccess, side: str, store: DocumentStore) -> SaveResult:
    """Make every staged change of this user on this side live, in one transaction."""
    now = clock.now()
    db = Document._meta.db
    async with db.transaction():
        changes = await Document.objects().where(_own_changes(access, side)).order_by(Document.id)
        uploaded = [doc for doc in changes if doc.state == "staged"]
        deleted = await versions.keep_records(
            access, [doc for doc in changes if doc.state == "pending_delete"]
        )
        if uploaded:
            await Document.update({Document.state: "live", Document.saved_at: now}).where(
                Document.id.is_in([doc.id for doc in uploaded]) & (Document.state == "staged")
            )
            await versions.publish(access, uploaded, now)  # a report: its next version
        if deleted:
            await Document.update({Document.state: "deleted"}).where(
                Document.id.is_in([doc.id for doc in deleted])
                & (Document.state == "pending_delete")
            )
        for doc in uploaded:
            await _record(
                access,
                "document saved",
                f"{side} document {doc.id} '{doc.file_name}' ({doc.size} bytes, "
                f"sha256 {doc.sha256}, kind {doc.kind})",
            )
        for doc in deleted:
            await _record(
                access,
                "document deleted",
                f"{side} document {doc.id} '{doc.file_name}'",
            )
        receipt_id = None
        reference = None
        if changes:
            receipt_id = await _record_receipt(access, side, uploaded, deleted, now)
            reference = await record_submission(
                access.event.id,
                access.user.id,
                "documents",
                _submission_summary(side, uploaded, deleted),
                files=[{"name": d.file_name, "size": d.size, "sha256": d.sha256} for d in uploaded],
                at=now,
            )
        # Other features hear about Ofsted documents now published (the accuracy check
        # opens; the provider's users are emailed) in the same transaction.
        if side == "ofsted":
            for kind in dict.fromkeys(doc.kind for doc in uploaded):
                await publishing.published(access.event.id, kind, now)
    # After the commit: the files of deleted documents go.
    for doc in deleted:
        await store.delete(doc.stored_name)
    return SaveResult(
        uploaded=uploaded, deleted=deleted, receipt_id=receipt_id, reference=reference
    )


async def cancel(access: EventAccess, side: str, store: DocumentStore) -> int:
    """Drop every staged change of this user on this side (and the staged files)."""
    async with Document._meta.db.transaction():
        changes = await Document.objects().where(_own_changes(access, side))
        uploaded = [doc for doc in changes if doc.state == "staged"]
        if uploaded:
            await Document.delete().where(
                Document.id.is_in([doc.id for doc in uploaded]) & (Document.state == "staged")
            )
        restored = [doc for doc in changes if doc.state == "pending_delete"]
        if restored:
            await Document.update({Document.state: "live", Document.staged_by: None}).where(
                Document.id.is_in([doc.id for doc in restored])
                & (Document.state == "pending_delete")
            )
        if changes:
            await _record(
                access,
                "document changes cancelled",
                f"{side}: dropped uploads "
                + ", ".join(f"{d.id} '{d.file_name}'" for d in uploaded)
                + "; kept "
                + ", ".join(f"{d.id} '{d.file_name}'" for d in restored),
            )
    for doc in uploaded:
        await store.delete(doc.stored_name)
    return len(changes)


def _submission_summary(side: str, uploaded: list[Document], deleted: list[Document]) -> str:
    """One Save, as 'Activity and receipts' lists it."""
    where = "Ofsted" if side == "ofsted" else "provider"
    parts = []
    if uploaded:
        parts.append(f"{len(uploaded)} saved")
    if deleted:
        names = ", ".join(d.file_name for d in deleted)
        parts.append(f"{len(deleted)} deleted ({names})")
    return f"Documents uploaded by {where}: " + "; ".join(parts)


def _files(documents: list[Document]) -> list[dict[str, Any]]:
    return [
        {"id": d.id, "file_name": d.file_name, "size": d.size, "sha256": d.sha256}
        for d in documents
    ]


async def _record_receipt(
    access: EventAccess,
    side: str,
    uploaded: list[Document],
    deleted: list[Document],
    at: datetime,
) -> int:
    row = SaveReceipt(
        event=access.event.id,
        side=side,
        saved_by=access.user.id,
        saved_at=at,
        uploaded=_files(uploaded),
        deleted=_files(deleted),
    )
    await row.save()
    return int(row.id)


@dataclass(frozen=True)
class Receipt:
    side: str
    uploaded: list[dict[str, Any]]  # {"id", "file_name", "size", "sha256"}
    deleted: list[dict[str, Any]]


async def receipt(access: EventAccess, receipt_id: str | None) -> Receipt | None:
    """The receipt of a Save, for the user who saved, on the profile after Save."""
    if not receipt_id or not receipt_id.isdigit():
        return None
    row = await (
        SaveReceipt.select(SaveReceipt.side, SaveReceipt.uploaded, SaveReceipt.deleted)
        .where(
            (SaveReceipt.id == int(receipt_id))
            & (SaveReceipt.saved_by == access.user.id)
            & (SaveReceipt.event == access.event.id)
        )
        .output(load_json=True)
        .first()
    )
    if row is None:
        return None
    return Receipt(side=row["side"], uploaded=row["uploaded"], deleted=row["deleted"])
