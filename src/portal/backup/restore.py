"""`portal backup --verify PATH` and `portal restore PATH`.

Verify reads the whole archive and checks every member's size and SHA-256 against the
manifest, and that nothing is missing or extra. Restore does that first (the archive is
read twice: nothing is written until all of it has been checked), refuses a target that
is not empty, naming what is in the way, and then, reading the archive again and
checking each member again as it passes:

1. puts every document back in the store under its own stored name, and the outbox back;
2. only then makes the database live (the SQLite file renamed into place, or
   `pg_restore --single-transaction` into the empty database): until this step the
   target has no database, so a failure part-way leaves nothing a portal would serve,
   and what was written is removed;
3. marks deleted the documents deleted while the backup ran (manifest `documents.gone`),
   counts every table's rows against the manifest, then applies the migrations that
   this version of the portal has and the archive had not.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.conf.apps import Finder

from portal.backup.archive import (
    MANIFEST,
    MAX_MANIFEST,
    ArchiveError,
    Entry,
    Manifest,
    chunks_of,
    member_kind,
    read_members,
    read_whole,
)
from portal.backup.progress import Progress
from portal.backup.snapshot import kind_of, postgres_facts, quoted, sqlite_facts
from portal.commands import prepare_database
from portal.documents.api import DocumentStore, make_storage
from portal.settings import Settings


class RestoreRefused(Exception):
    """The target is not empty, or the archive does not fit it; nothing was written."""


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    tables: dict[str, int]
    documents: int
    mails: int
    migrations_applied: list[str]


def _check(name: str, size: int, source: BinaryIO, seen: Any) -> Entry:
    digest = hashlib.sha256()
    for block in chunks_of(source, seen):
        digest.update(block)
    return Entry(size, digest.hexdigest())


def verify(path: Path, progress_to: TextIO | None = None) -> Manifest:
    """The archive's manifest, if every member is whole and as the manifest says;
    otherwise ArchiveError naming the first member that is not."""
    if not path.is_file():
        raise ArchiveError(f"{path}: no such file")
    progress = Progress("Checking", path.stat().st_size, progress_to)
    found: dict[str, Entry] = {}
    manifest: Manifest | None = None
    try:
        for name, source, size in read_members(path):
            if manifest is not None:
                raise ArchiveError(f"{name}: found after {MANIFEST}, which must come last")
            if member_kind(name) == "manifest":
                if size > MAX_MANIFEST:
                    raise ArchiveError(f"{MANIFEST}: {size} bytes is too large for one")
                manifest = Manifest.parse(read_whole(source))
                continue
            if name in found:
                raise ArchiveError(f"{name}: in the archive twice")
            found[name] = _check(name, size, source, progress)
    finally:
        progress.finish()
    if manifest is None:
        raise ArchiveError(f"{path}: no {MANIFEST} (the backup was cut short?)")
    for name, expected in manifest.files.items():
        if name not in found:
            raise ArchiveError(f"{name}: in the manifest but not in the archive")
        if found[name] != expected:
            raise ArchiveError(f"{name}: its SHA-256 or size does not match the manifest")
    for name in found:
        if name not in manifest.files:
            raise ArchiveError(f"{name}: in the archive but not in the manifest")
    return manifest


def known_migrations() -> dict[str, set[str]]:
    """The migrations this version of the portal has, by app."""
    registry = Finder().get_app_registry()
    manager = BaseMigrationManager()
    return {
        name: set(manager.get_migration_modules(config.resolved_migrations_folder_path))
        for name, config in registry.app_configs.items()
    }


def _newer_migrations(manifest: Manifest) -> list[str]:
    known = known_migrations()
    return [
        f"{app} {name}"
        for app, names in manifest.database["migrations"].items()
        for name in names
        if name not in known.get(app, set())
    ]


async def in_the_way(settings: Settings, store: DocumentStore) -> list[str]:
    """What a restore would overwrite or mix with: it must be empty, all of it."""
    problems: list[str] = []
    data_dir = settings.data_dir
    if data_dir.exists():
        entries = sorted(p.name for p in data_dir.iterdir())
        if entries:
            shown = ", ".join(entries[:5]) + (" …" if len(entries) > 5 else "")
            problems.append(f"the data dir {data_dir} is not empty ({shown})")
    if kind_of(settings) == "postgresql":
        import asyncpg

        connection = await asyncpg.connect(settings.database_url)
        try:
            tables = await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        finally:
            await connection.close()
        if tables:
            names = ", ".join(row["tablename"] for row in tables[:5])
            problems.append(f"the database already has {len(tables)} tables ({names} …)")
    if settings.storage_url:
        async for batch in store.all_stored():
            problems.append(
                f"the storage {settings.storage_url} already holds files ({batch[0]} …)"
            )
            break
    return problems


async def _chunks(blocks: Iterator[bytes]) -> AsyncIterator[bytes]:
    for block in blocks:  # local reads of CHUNK bytes: short enough to do in the loop
        yield block


class _Written:
    """What this restore has written so far, to remove if it cannot finish."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self.stored: list[str] = []
        self.paths: list[Path] = []
        self.tables: list[str] = []  # PostgreSQL: restored, then found wrong
        self.database_url = ""
        self.folders: list[Path] = []

    async def undo(self) -> None:
        for name in self.stored:
            await self.store.delete(name)
        for path in self.paths:
            path.unlink(missing_ok=True)
        for folder in self.folders:  # left empty: the target can take another restore
            with contextlib.suppress(OSError):
                folder.rmdir()
        if self.tables:
            await _drop_tables(self.database_url, self.tables)


async def _drop_tables(url: str, tables: list[str]) -> None:
    """The tables this restore made (the database had none before it began)."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        names = ", ".join(quoted(name) for name in tables)
        await connection.execute(f"DROP TABLE IF EXISTS {names} CASCADE")
    finally:
        await connection.close()


async def restore(settings: Settings, path: Path, progress_to: TextIO | None = None) -> Restored:
    manifest = verify(path, progress_to)
    kind = kind_of(settings)
    if manifest.database["kind"] != kind:
        raise RestoreRefused(
            f"the archive holds a {manifest.database['kind']} database and the portal is "
            f"set up for {kind} (PORTAL_DATABASE_URL)"
        )
    newer = _newer_migrations(manifest)
    if newer:
        raise RestoreRefused(
            "the archive was made by a newer portal (migrations this version does not "
            f"have: {', '.join(newer[:3])}): restore it with that version or a later one"
        )
    store = make_storage(settings)
    try:
        problems = await in_the_way(settings, store)
        if problems:
            raise RestoreRefused("will not restore over anything: " + "; ".join(problems))
        written = _Written(store)
        written.database_url = settings.database_url
        written.folders = [settings.files_dir, settings.outbox_dir]
        try:
            counts = await _put_everything(settings, store, path, manifest, written, progress_to)
        except BaseException:
            await written.undo()
            raise
    finally:
        await store.close()
    applied = await _migrate(settings)
    return Restored(manifest, counts, *_counted(manifest), applied)


def _counted(manifest: Manifest) -> tuple[int, int]:
    kinds = [member_kind(name) for name in manifest.files]
    return kinds.count("file"), kinds.count("outbox")


async def _put_everything(
    settings: Settings,
    store: DocumentStore,
    path: Path,
    manifest: Manifest,
    written: _Written,
    progress_to: TextIO | None,
) -> dict[str, int]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    progress = Progress("Restoring", os.stat(path).st_size, progress_to)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=settings.data_dir) as work:
        database = Path(work) / "database"
        for name, source, size in read_members(path):
            kind = member_kind(name)
            if kind == "manifest":
                continue
            expected = manifest.files.get(name)
            if expected is None:  # the archive changed since it was checked
                raise ArchiveError(f"{name}: in the archive but not in the manifest")
            digest = hashlib.sha256()
            blocks = _hashed(chunks_of(source, progress), digest)
            if kind == "file":
                stored_name = name.removeprefix("files/")
                written.stored.append(stored_name)
                await store.put(stored_name, _chunks(blocks), max_bytes=size)
            else:
                target = database if kind == "database" else settings.outbox_dir / Path(name).name
                target.parent.mkdir(parents=True, exist_ok=True)
                if kind == "outbox":
                    written.paths.append(target)
                with target.open("xb") as out:
                    for block in blocks:
                        out.write(block)
            if Entry(size, digest.hexdigest()) != expected:  # changed since it was checked
                raise ArchiveError(f"{name}: its SHA-256 does not match the manifest")
        progress.finish()
        return await _make_live(settings, manifest, database, written)


def _hashed(blocks: Iterator[bytes], digest: Any) -> Iterator[bytes]:
    for block in blocks:
        digest.update(block)
        yield block


async def _make_live(
    settings: Settings, manifest: Manifest, database: Path, written: _Written
) -> dict[str, int]:
    gone = [int(i) for i in manifest.documents.get("gone", [])]
    if manifest.database["kind"] == "sqlite":
        counts = await asyncio.to_thread(_sqlite_live, database, settings.sqlite_path, gone)
        written.paths.append(settings.sqlite_path)
    else:
        written.tables = list(manifest.database["tables"])  # from here on, to undo
        counts = await _postgres_live(settings.database_url, database, gone)
    tables = manifest.database["tables"]
    if counts != tables:
        wrong = sorted(
            name for name in set(counts) | set(tables) if counts.get(name) != tables.get(name)
        )
        raise ArchiveError(f"restored rows do not match the manifest's counts: {', '.join(wrong)}")
    return counts


def _sqlite_live(database: Path, target: Path, gone: list[int]) -> dict[str, int]:
    connection = sqlite3.connect(database)
    try:
        (status,) = connection.execute("PRAGMA integrity_check").fetchone()
        if status != "ok":
            raise ArchiveError(f"database/portal.sqlite3: damaged ({status})")
        facts = sqlite_facts(connection)
        _mark_gone(connection, gone)
        connection.commit()
    finally:
        connection.close()
    with database.open("rb") as handle:
        os.fsync(handle.fileno())
    os.link(database, target)  # fails, rather than replaces, if a file appeared there
    return facts.tables


def _mark_gone(connection: sqlite3.Connection, gone: list[int]) -> None:
    for document_id in gone:
        connection.execute("UPDATE document SET state = 'deleted' WHERE id = ?", (document_id,))


async def _postgres_live(url: str, dump: Path, gone: list[int]) -> dict[str, int]:
    import asyncpg

    process = await asyncio.create_subprocess_exec(
        "pg_restore",
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        "--single-transaction",  # the whole database or none of it
        f"--dbname={url}",
        str(dump),
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await process.communicate()
    if process.returncode:
        raise ArchiveError(f"pg_restore failed: {errors.decode(errors='replace').strip()}")
    connection = await asyncpg.connect(url)
    try:
        facts = await postgres_facts(connection)
        if gone:
            await connection.execute(
                "UPDATE document SET state = 'deleted' WHERE id = ANY($1::int[])", gone
            )
    finally:
        await connection.close()
    return facts.tables


async def _migration_names(settings: Settings) -> set[str]:
    if kind_of(settings) == "postgresql":
        import asyncpg

        connection = await asyncpg.connect(settings.database_url)
        try:
            rows = await connection.fetch("SELECT app_name, name FROM migration")
        finally:
            await connection.close()
        return {f"{row['app_name']} {row['name']}" for row in rows}
    connection = sqlite3.connect(settings.sqlite_path)
    try:
        rows = connection.execute("SELECT app_name, name FROM migration").fetchall()
    finally:
        connection.close()
    return {f"{app} {name}" for app, name in rows}


async def _migrate(settings: Settings) -> list[str]:
    before = await _migration_names(settings)
    await prepare_database(settings)
    return sorted(await _migration_names(settings) - before)
