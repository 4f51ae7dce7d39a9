"""The engines that keep their connections: SQLite in WAL with query-only readers and one
writer, PostgreSQL with a pool per event loop of the size settings give, and prepared reads."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from portal.app import create_app
from portal.db import engine as db_engine
from portal.db.prepared import Param, Prepared, loaded
from portal.db.tables import Provider
from portal.settings import Settings
from tests.conftest import Database


async def test_sqlite_runs_in_wal_mode_with_query_only_readers(tmp_path: Path) -> None:
    engine = db_engine.make_engine(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    assert isinstance(engine, db_engine.PooledSQLiteEngine)
    try:
        connections = await engine.connections()
        assert connections.writer is not None
        await connections.writer.execute_fetchall("CREATE TABLE t (x INTEGER)")
        assert await connections.writer.execute_fetchall("PRAGMA journal_mode") == [
            {"journal_mode": "wal"}
        ]
        reader = await connections.readers.get()
        try:
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                await reader.execute_fetchall("INSERT INTO t (x) VALUES (1)")
        finally:
            connections.readers.put_nowait(reader)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            engine.inline_reader().execute("DELETE FROM t")
    finally:
        await engine.close_connections()


async def test_many_writers_at_once_all_succeed(db: Database) -> None:
    """Read-then-write transactions from many tasks at once: none fails with 'database is
    locked' (SQLite: one writer, IMMEDIATE) and none is lost."""

    async def add(number: int) -> None:
        async with Provider._meta.db.transaction():
            count = await Provider.count()
            await Provider(name=f"Provider {number} after {count}", urn=f"U{number}").save()

    await asyncio.gather(*(add(number) for number in range(40)))
    assert await Provider.count() == 40


async def test_a_prepared_read_binds_its_parameters_and_is_counted(db: Database) -> None:
    await Provider(name="Oakfield", urn="100001").save()
    await Provider(name="Hillside", urn="100002").save()
    by_urn = Prepared(Provider.select(Provider.name).where(Provider.urn == Param("urn")))
    with db_engine.counting() as queries:
        assert await by_urn.first(urn="100002") == {"name": "Hillside"}
        assert await by_urn.first(urn="nobody") is None
        assert await by_urn.rows(urn="100001") == [{"name": "Oakfield"}]
    assert queries.count == 3


async def test_a_prepared_read_in_a_transaction_sees_its_writes(db: Database) -> None:
    by_urn = Prepared(Provider.select(Provider.name).where(Provider.urn == Param("urn")))
    async with Provider._meta.db.transaction():
        await Provider(name="Oakfield", urn="100001").save()
        assert await by_urn.first(urn="100001") == {"name": "Oakfield"}


async def test_postgres_pool_is_per_loop_and_of_the_size_asked(postgres_url: str) -> None:
    engine = db_engine.make_engine(postgres_url, pool_size=3)
    assert isinstance(engine, db_engine.PooledPostgresEngine)
    try:
        await engine.ensure_pool()
        pool = engine.pool
        assert pool is not None and pool.get_max_size() == 3
        # Another loop (the test client runs the app on one) gets a pool of its own.
        other = await asyncio.to_thread(asyncio.run, _pool_of(engine))
        assert other is not pool
    finally:
        await engine.close_connections()
    assert engine.pool is None


async def _pool_of(engine: db_engine.PooledPostgresEngine) -> object:
    await engine.ensure_pool()
    pool = engine.pool
    await pool.close()  # type: ignore[union-attr]
    return pool


async def test_the_app_binds_a_pool_of_the_size_settings_give(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_DB_POOL_SIZE", "3")
    settings = Settings.from_env(
        data_dir=tmp_path, database_url=postgres_url, secret_key="k", mail_worker=False
    )
    assert settings.db_pool_size == 3
    app = create_app(settings)
    async with app.lifespan():
        engine = app.state.engine
        assert engine.pool_size == 3


async def test_a_whole_row_is_loaded_as_the_table_would_make_it(db: Database) -> None:
    provider = Provider(name="Oakfield Primary School", urn="100001", address="1 High Street")
    await provider.save()
    row = await Provider.select().where(Provider.id == provider.id).first()
    assert row is not None
    quick = loaded(Provider, dict(row))
    made = Provider(_ignore_missing=True, _exists_in_db=True, **row)
    assert quick.to_dict() == made.to_dict()
    assert quick._exists_in_db
    await quick.save()  # an UPDATE of the row it is, not a second row
    assert await Provider.count() == 1
    with pytest.raises(ValueError, match="address"):
        loaded(Provider, {"id": 1, "name": "No address", "urn": "100002"})
