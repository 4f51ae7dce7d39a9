"""What a portal's database holds, read directly (SQLite file or PostgreSQL), to compare
a restored portal with the one it was backed up from."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.conftest import run_sync

AUDIT = "SELECT id, actor, event, action, detail, at FROM audit_event ORDER BY id"
DOCUMENTS = (
    "SELECT id, stored_name, sha256, file_name, state FROM document "
    "WHERE state <> 'deleted' ORDER BY id"
)
CHECK = "SELECT event, wants_to_comment, confirmed, comments, status, version FROM accuracy_check"


def rows(database_url: str, data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    if database_url:
        return run_sync(_postgres(database_url, sql))
    connection = sqlite3.connect(data_dir / "portal.sqlite3")
    try:
        return [tuple(row) for row in connection.execute(sql)]
    finally:
        connection.close()


async def _postgres(url: str, sql: str) -> list[tuple[Any, ...]]:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in await connection.fetch(sql)]
    finally:
        await connection.close()


def table_names(database_url: str, data_dir: Path) -> list[str]:
    if database_url:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return sorted(row[0] for row in rows(database_url, data_dir, sql))
