"""A consistent copy of the database, taken while the portal runs, and the facts a
manifest records about it (tables and their rows, migrations applied, the documents
whose files the backup must hold), read from that same copy.

- SQLite: the online backup API copies the file page by page within one read
  transaction; in WAL mode writers go on meanwhile and the copy is of one moment.
- PostgreSQL: a repeatable-read transaction exports its snapshot, `pg_dump -Fc
  --snapshot` dumps exactly that snapshot, and the facts are read in the same
  transaction: the list of documents is the dump's list, to the row.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portal.backup.archive import POSTGRES_MEMBER, SQLITE_MEMBER
from portal.settings import Settings

BUSY_MS = 30_000  # the portal's own writes may hold the file briefly


class SnapshotError(Exception):
    """The database could not be copied; the message says why."""


@dataclass(frozen=True)
class StoredDocument:
    id: int
    stored_name: str
    size: int
    sha256: str


@dataclass
class Facts:
    tables: dict[str, int] = field(default_factory=dict)
    migrations: dict[str, list[str]] = field(default_factory=dict)
    documents: list[StoredDocument] = field(default_factory=list)


@dataclass
class Snapshot:
    kind: str  # "sqlite" | "postgresql"
    member: str  # its name in the archive
    path: Path
    facts: Facts
    server_version: str = ""


def kind_of(settings: Settings) -> str:
    return "postgresql" if settings.database_url.startswith("postgres") else "sqlite"


# The documents whose files are kept: every row but those already deleted (their files
# are gone by design). Staged uploads are kept: a restore brings back what was there.
DOCUMENTS_SQL = (
    "SELECT id, stored_name, size, sha256 FROM document WHERE state <> 'deleted' ORDER BY id"
)
MIGRATIONS_SQL = "SELECT app_name, name FROM migration ORDER BY id"


def quoted(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SnapshotError(f"unexpected table name {name!r}")
    return f'"{name}"'


def _migrations(rows: list[Any]) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_name, name in rows:
        applied.setdefault(app_name, []).append(name)
    return applied


def sqlite_facts(connection: sqlite3.Connection) -> Facts:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    facts = Facts()
    for name in names:
        facts.tables[name] = connection.execute(f"SELECT count(*) FROM {quoted(name)}").fetchone()[
            0
        ]
    if "migration" in names:
        facts.migrations = _migrations(connection.execute(MIGRATIONS_SQL).fetchall())
    if "document" in names:
        facts.documents = [StoredDocument(*row) for row in connection.execute(DOCUMENTS_SQL)]
    return facts


async def postgres_facts(connection: Any) -> Facts:
    names = [
        row["tablename"]
        for row in await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    facts = Facts()
    for name in names:
        facts.tables[name] = await connection.fetchval(f"SELECT count(*) FROM {quoted(name)}")
    if "migration" in names:
        facts.migrations = _migrations(
            [tuple(row) for row in await connection.fetch(MIGRATIONS_SQL)]
        )
    if "document" in names:
        facts.documents = [
            StoredDocument(*tuple(row)) for row in await connection.fetch(DOCUMENTS_SQL)
        ]
    return facts


def _copy_sqlite(source: Path, target: Path) -> Facts:
    if not source.is_file():
        raise SnapshotError(f"no database at {source}")
    origin = sqlite3.connect(source, timeout=BUSY_MS / 1000)
    copy = sqlite3.connect(target)
    try:
        origin.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        origin.backup(copy)  # all pages in one step: one read transaction, one moment
        # One self-contained file (no -wal beside it); the portal turns WAL back on.
        copy.execute("PRAGMA journal_mode = DELETE")
        return sqlite_facts(copy)
    finally:
        copy.close()
        origin.close()


async def _pg_dump_version() -> int:
    process = await asyncio.create_subprocess_exec(
        "pg_dump", "--version", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    match = re.search(rb"(\d+)\.", out)
    if not match:
        raise SnapshotError(f"pg_dump --version said {out!r}")
    return int(match.group(1))


async def _copy_postgres(url: str, target: Path) -> tuple[Facts, str]:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        server = await connection.fetchval("SHOW server_version")
        server_major = int(re.match(r"\d+", server).group())  # type: ignore[union-attr]
        if await _pg_dump_version() < server_major:
            raise SnapshotError(
                f"pg_dump is older than the server (PostgreSQL {server}): install the "
                f"PostgreSQL {server_major} client tools"
            )
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
            facts = await postgres_facts(connection)
            # The transaction stays open until pg_dump is done: its snapshot lives that long.
            process = await asyncio.create_subprocess_exec(
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-acl",
                f"--snapshot={snapshot}",
                f"--file={target}",
                f"--dbname={url}",
                stderr=asyncio.subprocess.PIPE,
            )
            _, errors = await process.communicate()
            if process.returncode:
                raise SnapshotError(f"pg_dump failed: {errors.decode(errors='replace').strip()}")
        return facts, server
    finally:
        await connection.close()


async def take(settings: Settings, workdir: Path) -> Snapshot:
    """Copy the database into `workdir` and read its facts from the copy."""
    if kind_of(settings) == "postgresql":
        target = workdir / "portal.pgdump"
        facts, server = await _copy_postgres(settings.database_url, target)
        return Snapshot("postgresql", POSTGRES_MEMBER, target, facts, server)
    target = workdir / "portal.sqlite3"
    facts = await asyncio.to_thread(_copy_sqlite, settings.sqlite_path, target)
    return Snapshot("sqlite", SQLITE_MEMBER, target, facts, sqlite3.sqlite_version)
