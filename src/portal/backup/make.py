"""`portal backup`: the database snapshot, then the files of the documents that snapshot
names (streamed from their store, disk or S3), then the outbox, then the manifest.

The archive is written to `<name>.part` and renamed when it is complete, so a backup cut
short (disk full, process killed) never leaves a file that looks like a finished one.

A document deleted after the snapshot was taken has no file left to copy: its id is
listed in the manifest (`documents.gone`) and a restore marks it deleted, which is what
it had become. That is the only way the files and the rows can disagree, because a
document's row is written only after its file is complete, and its file is removed only
after its row says it is deleted.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from portal.backup.archive import ArchiveWriter, Manifest
from portal.backup.progress import Progress
from portal.backup.snapshot import Snapshot, take
from portal.documents.api import DocumentStore, make_storage
from portal.settings import Settings

PART_SUFFIX = ".part"


@dataclass(frozen=True)
class Made:
    path: Path
    manifest: Manifest
    size: int
    sha256: str  # of the whole archive: keep it apart from the archive, to check a copy
    warnings: list[str]


def portal_version() -> str:
    try:
        return metadata.version("provider-portal")
    except metadata.PackageNotFoundError:
        return "unknown"


def default_name(now: datetime | None = None) -> str:
    return f"portal-backup-{(now or datetime.now(UTC)):%Y%m%dT%H%M%SZ}.tar"


def target_path(to: str | None) -> Path:
    """`--to`: a file to create, or a directory to create the default name in; never
    an existing file (a backup does not overwrite another)."""
    path = Path(to) if to else Path(default_name())
    if path.is_dir():
        path = path / default_name()
    if path.exists():
        raise FileExistsError(f"{path} already exists: a backup never overwrites a file")
    return path


class _Hashing:
    """The archive's own SHA-256, taken as it is written."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.digest = hashlib.sha256()

    def write(self, data: Any) -> int:
        self.digest.update(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def outbox_files(settings: Settings) -> list[Path]:
    """Complete mails only: a mail being written is a .tmp file until it is whole."""
    if not settings.outbox_dir.is_dir():
        return []
    return sorted(p for p in settings.outbox_dir.iterdir() if p.is_file() and p.suffix == ".eml")


async def make_backup(settings: Settings, path: Path, progress_to: TextIO | None = None) -> Made:
    """The archive written to `path` (through `<path>.part`, renamed when complete)."""
    part = path.with_name(path.name + PART_SUFFIX)
    try:
        with part.open("xb") as out:
            # The snapshot sits beside the archive, not in /tmp: /tmp may be small or RAM.
            made = await _backup(settings, out, path.parent, progress_to)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return Made(path, *made)


async def stream_backup(settings: Settings, out: BinaryIO) -> Made:
    """The archive written to a stream (`--to -`: a pipe into a compressor, an encrypter
    or an upload); the snapshot waits in the temporary directory meanwhile."""
    made = await _backup(settings, out, None, None)
    out.flush()
    return Made(Path("-"), *made)


async def _backup(
    settings: Settings, out: BinaryIO, workdir: Path | None, progress_to: TextIO | None
) -> tuple[Manifest, int, str, list[str]]:
    store = make_storage(settings)
    try:
        with tempfile.TemporaryDirectory(prefix="portal-backup-", dir=workdir) as work:
            snapshot = await take(settings, Path(work))
            return await _write(settings, store, snapshot, out, progress_to)
    finally:
        await store.close()


async def _write(
    settings: Settings,
    store: DocumentStore,
    snapshot: Snapshot,
    out: BinaryIO,
    progress_to: TextIO | None,
) -> tuple[Manifest, int, str, list[str]]:
    documents = snapshot.facts.documents
    mails = outbox_files(settings)
    total = (
        snapshot.path.stat().st_size
        + sum(doc.size for doc in documents)
        + sum(p.stat().st_size for p in mails)
    )
    progress = Progress("Backing up", total, progress_to)
    gone: list[int] = []
    warnings: list[str] = []
    hashing = _Hashing(out)
    archive = ArchiveWriter(hashing)  # type: ignore[arg-type]
    await archive.add_file(snapshot.member, snapshot.path, progress)
    for doc in documents:
        opened = await store.open(doc.stored_name)
        if opened is None:
            gone.append(doc.id)  # deleted since the snapshot: see the docstring
            progress(doc.size)
            continue
        entry = await archive.add_stream(
            f"files/{doc.stored_name}", opened.size, opened.chunks, progress
        )
        if entry.sha256 != doc.sha256:
            # Kept as it is (it is what there is), but said: the store has a fault.
            warnings.append(
                f"document {doc.id} ({doc.stored_name}): its stored bytes no longer "
                "have the SHA-256 recorded at upload"
            )
    for mail in mails:
        try:
            await archive.add_file(f"outbox/{mail.name}", mail, progress)
        except FileNotFoundError:
            continue  # taken away meanwhile (an operator clearing the outbox)
    manifest = Manifest(
        portal_version=portal_version(),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        database={
            "kind": snapshot.kind,
            "member": snapshot.member,
            "server_version": snapshot.server_version,
            "migrations": snapshot.facts.migrations,
            "tables": snapshot.facts.tables,
        },
        documents={
            "storage": "s3" if settings.storage_url else "disk",
            "count": len(documents) - len(gone),
            "bytes": sum(doc.size for doc in documents if doc.id not in gone),
            "gone": gone,
        },
    )
    archive.add_manifest(manifest)
    archive.close()
    progress.finish()
    return manifest, archive.written, hashing.digest.hexdigest(), warnings
