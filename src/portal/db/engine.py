"""Binds every Piccolo table (and the migration runner) to the configured database."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.conf.apps import Finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from portal.db import piccolo_conf


def make_engine(url: str) -> Engine:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path), timeout=30)
    if parsed.scheme in {"postgres", "postgresql"}:
        return PostgresEngine(config={"dsn": url}, log_queries=False)
    raise ValueError(f"Unsupported database URL: {parsed.scheme}://…")


def bind(url: str) -> Engine:
    """Point Piccolo's config and every registered table at the database at `url`."""
    engine = make_engine(url)
    piccolo_conf.DB = engine
    from piccolo.apps.migrations.tables import Migration

    for table in [*Finder().get_table_classes(), Migration]:
        table._meta.db = engine
    return engine


async def migrate() -> str:
    """Apply every app's pending migrations, in dependency order. Piccolo's report of
    what it did is returned rather than printed: most commands migrate silently first."""
    with contextlib.redirect_stdout(io.StringIO()) as report:
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{report.getvalue()}")
    return report.getvalue()


def serialising_transaction(engine: Engine) -> Any:
    """A transaction in which a check and the write that depends on it cannot race:
    SQLite takes its write lock at BEGIN (IMMEDIATE), so a second one waits;
    on PostgreSQL the caller also locks a row (`SELECT ... FOR UPDATE`)."""
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def locks_rows(engine: Engine) -> bool:
    return isinstance(engine, PostgresEngine)


async def start_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
