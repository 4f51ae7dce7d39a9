"""What a test server has stored: read its SQLite database directly (the e2e servers run
on SQLite in their data dir), so a journey can assert what was saved, not only shown."""

from __future__ import annotations

import sqlite3
from typing import Any

from e2e.conftest import Server


def rows(server: Server, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(server.data_dir / "portal.sqlite3")
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()
