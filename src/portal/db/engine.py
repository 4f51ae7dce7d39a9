"""Binds every Piccolo table (and the migration runner) to the configured database, through
engines that keep their connections.

Piccolo's SQLiteEngine opens a new connection (and a thread) for every query, about 1.7 ms
each; its PostgresEngine has one pool, bound to the event loop that started it. Ours keep
connections per event loop (a process serving has one loop; the tests run the app on
another loop than their fixtures, and each gets its own connections):

- SQLite in WAL mode: a few reader connections (`query_only`, so a write sent to one fails
  loudly) and one writer. Every write and every transaction takes the writer, one at a
  time, and a transaction begins IMMEDIATE: within a process nothing waits on SQLite's
  lock, and across processes a writer waits its turn (`busy_timeout`) instead of failing.
  Prepared reads (portal.db.prepared: a page's few rows) run on the loop itself, on one
  more `query_only` connection: microseconds, less than a hand-over to a thread.
- PostgreSQL: an asyncpg pool per loop, started on first use. A PostgreSQL that does not
  answer cannot hang a request: connecting gives up after `connect_timeout` seconds
  (PORTAL_DB_CONNECT_TIMEOUT), and a statement is cancelled by the server after
  `statement_timeout` (PORTAL_DB_STATEMENT_TIMEOUT), or abandoned by us a little later if the
  server cannot even do that. Either way the caller gets `portal.outages.Unavailable` (or
  asyncpg's own error), which the web layer answers with the "unavailable" page.

Each engine counts the queries it runs (`queries`): route tests assert a page's budget.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import io
import os
import sqlite3
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aiosqlite
import asyncpg
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.conf.apps import Finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

from portal.db import piccolo_conf
from portal.outages import DATABASE, Unavailable

READERS = 4  # SQLite reader connections per loop: WAL readers never wait for the writer
BUSY_TIMEOUT_MS = 30_000
INLINE_BUSY_TIMEOUT_MS = 2_000  # an inline read waits on the loop: only a checkpoint can stall it
# PostgreSQL connections per worker, unless PORTAL_DB_POOL_SIZE says. Few is fast: on a
# 2-core machine sharing PostgreSQL, 2 a worker served the profile page as fast as 4 and
# faster than 10 (bench/scale.py: 1.71x, 1.61x and 1.44x with two workers), because every
# extra backend competes for the same cores.
POOL_SIZE = max(2, os.cpu_count() or 2)
RECENT = 50  # the last queries, kept to say which ran when a page goes over its budget
CONNECT_TIMEOUT = 5.0  # seconds to open a PostgreSQL connection (PORTAL_DB_CONNECT_TIMEOUT)
STATEMENT_TIMEOUT = 30.0  # seconds a statement may run (PORTAL_DB_STATEMENT_TIMEOUT; 0: none)
# Our own give-up on a statement, after the server's: a server that cancels in time says why
# (QueryCanceledError); one that cannot answer at all is still not waited on for ever.
CLIENT_MARGIN = 5.0


# --- Counting -----------------------------------------------------------------------------


@dataclass
class QueryCount:
    count: int = 0


# The request being answered: its queries are counted (the request log prints the number;
# route tests assert each page's budget from it). Tasks a request starts share its count.
_COUNTING: contextvars.ContextVar[QueryCount | None] = contextvars.ContextVar(
    "portal_query_count", default=None
)


@contextlib.contextmanager
def counting() -> Iterator[QueryCount]:
    count = QueryCount()
    token = _COUNTING.set(count)
    try:
        yield count
    finally:
        _COUNTING.reset(token)


class _Counted:
    """What both engines keep of the queries they run: a total, the request's count, and
    the last few (to say which ran when a page goes over its budget)."""

    def _start_counting(self) -> None:
        self.queries = 0
        self.recent: collections.deque[QueryString | str] = collections.deque(maxlen=RECENT)

    def _note(self, query: QueryString | str) -> None:
        self.queries += 1
        self.recent.append(query)
        count = _COUNTING.get()
        if count is not None:
            count.count += 1


# --- SQLite -------------------------------------------------------------------------------


@dataclass
class _SQLiteConnections:
    """One loop's connections: readers handed out by a queue, one writer behind a lock."""

    readers: asyncio.Queue[aiosqlite.Connection] = field(default_factory=asyncio.Queue)
    opened: list[aiosqlite.Connection] = field(default_factory=list)
    writer: aiosqlite.Connection | None = None
    writer_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    opening: asyncio.Lock = field(default_factory=asyncio.Lock)
    inline: sqlite3.Connection | None = None


def _is_read(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


class PooledSQLiteTransaction(SQLiteTransaction):
    """Runs on the loop's writer connection, which it holds until the end."""

    __slots__ = ("_release",)

    async def get_connection(self) -> aiosqlite.Connection:
        engine: PooledSQLiteEngine = self.engine  # type: ignore[assignment]
        connections = await engine.connections()
        await connections.writer_lock.acquire()
        assert connections.writer is not None
        self._release = connections.writer_lock.release
        return connections.writer

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self._release()
            self.engine.current_transaction.reset(self.context)
        return exception is None


class PooledSQLiteEngine(_Counted, SQLiteEngine):
    def __init__(self, path: str) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_MS / 1000)
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _SQLiteConnections] = (
            weakref.WeakKeyDictionary()
        )
        self._start_counting()

    async def _open(self, *, reader: bool) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute_fetchall("PRAGMA foreign_keys = 1")
        await connection.execute_fetchall(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # NORMAL is durable against a process crash in WAL mode; only a power cut can
        # lose the last transactions (never corrupt the file).
        await connection.execute_fetchall("PRAGMA synchronous = NORMAL")
        if reader:
            await connection.execute_fetchall("PRAGMA query_only = 1")
        return connection

    async def connections(self) -> _SQLiteConnections:
        loop = asyncio.get_running_loop()
        connections = self._loops.get(loop)
        if connections is None:
            connections = self._loops[loop] = _SQLiteConnections()
        if connections.writer is None:
            async with connections.opening:
                if connections.writer is None:
                    writer = await self._open(reader=False)
                    await writer.execute_fetchall(
                        "PRAGMA journal_mode = WAL"
                    )  # persists in the file
                    connections.opened.append(writer)
                    for _ in range(READERS):
                        reader = await self._open(reader=True)
                        connections.opened.append(reader)
                        connections.readers.put_nowait(reader)
                    connections.writer = writer
        return connections

    def inline_reader(self) -> sqlite3.Connection:
        """This loop's connection for prepared reads run on the loop itself (see
        run_compiled): a handful of one event's rows takes microseconds, less than the
        hand-over to an aiosqlite thread and back."""
        loop = asyncio.get_running_loop()
        connections = self._loops.get(loop)
        if connections is None:
            connections = self._loops[loop] = _SQLiteConnections()
        if connections.inline is None:
            inline = sqlite3.connect(**{**self.connection_kwargs, "check_same_thread": False})
            inline.row_factory = dict_factory
            for pragma in (
                "foreign_keys = 1",
                f"busy_timeout = {INLINE_BUSY_TIMEOUT_MS}",
                "query_only = 1",
            ):
                inline.execute(f"PRAGMA {pragma}")
            connections.inline = inline
        return connections.inline

    async def close_connections(self) -> None:
        """Close every loop's connections (aiosqlite's work in its own thread, so any loop
        may close them)."""
        loops, self._loops = list(self._loops.values()), weakref.WeakKeyDictionary()
        for connections in loops:
            for connection in connections.opened:
                await connection.close()
            if connections.inline is not None:
                connections.inline.close()

    async def _execute(self, connection: aiosqlite.Connection, query: str, args: Any) -> Any:
        # One round trip to the connection's thread (Piccolo's takes three).
        return await connection.execute_fetchall(query, args or [])

    async def _run_in_new_connection(
        self,
        query: str,
        args: Any = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        connections = await self.connections()
        if _is_read(query):
            reader = await connections.readers.get()
            try:
                return await self._execute(reader, query, args)
            finally:
                connections.readers.put_nowait(reader)
        async with connections.writer_lock:
            assert connections.writer is not None
            return await self._execute(connections.writer, query, args)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: Any = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        return await self._execute(connection, query, args)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> Any:
        self._note(querystring)
        return await super().run_querystring(querystring, in_pool)

    async def run_compiled(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        """SQL already compiled (portal.db.prepared): run, counted, nothing built."""
        self._note(sql)
        current = self.current_transaction.get()
        if current:
            return await self._execute(current.connection, sql, args)
        if _is_read(sql):
            return self.inline_reader().execute(sql, args).fetchall()
        return await self._run_in_new_connection(sql, args)

    async def get_connection(self) -> aiosqlite.Connection:
        # A connection of its own (Piccolo's batch reads): opened with our settings.
        return await self._open(reader=False)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return PooledSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


# --- PostgreSQL ---------------------------------------------------------------------------


@contextlib.contextmanager
def _reaching_postgres() -> Iterator[None]:
    """A refused, broken or timed-out connection (plain OSError/TimeoutError from asyncpg)
    named for what it is: the database did not answer."""
    try:
        yield
    except (OSError, TimeoutError) as exc:
        raise Unavailable(DATABASE, f"{type(exc).__name__}: {exc}") from exc


def postgres_options(connect_timeout: float, statement_timeout: float) -> dict[str, Any]:
    """asyncpg connect() arguments for the timeouts (pools and single connections alike)."""
    options: dict[str, Any] = {"timeout": connect_timeout}
    if statement_timeout > 0:
        milliseconds = str(int(statement_timeout * 1000))
        options["server_settings"] = {"statement_timeout": milliseconds}
        options["command_timeout"] = statement_timeout + CLIENT_MARGIN
    return options


class PooledPostgresTransaction(PostgresTransaction):
    async def get_connection(self) -> Any:
        engine: PooledPostgresEngine = self.engine  # type: ignore[assignment]
        await engine.ensure_pool()
        with _reaching_postgres():
            return await super().get_connection()


class PooledPostgresEngine(_Counted, PostgresEngine):
    """Piccolo reads `self.pool`: here it is the running loop's pool."""

    def __init__(
        self,
        dsn: str,
        pool_size: int = POOL_SIZE,
        *,
        connect_timeout: float = CONNECT_TIMEOUT,
        statement_timeout: float = STATEMENT_TIMEOUT,
    ) -> None:
        self.pool_size = pool_size
        self.timeouts = (connect_timeout, statement_timeout)
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncpg.Pool] = (
            weakref.WeakKeyDictionary()
        )
        self._opening: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._start_counting()
        # Piccolo passes `config` to every connect (pools and its single connections).
        config = {"dsn": dsn, **postgres_options(connect_timeout, statement_timeout)}
        super().__init__(config=config, log_queries=False)

    @property  # type: ignore[override]
    def pool(self) -> asyncpg.Pool | None:
        try:
            return self._pools.get(asyncio.get_running_loop())
        except RuntimeError:
            return None

    @pool.setter
    def pool(self, value: asyncpg.Pool | None) -> None:
        if value is None:
            return  # Piccolo's __init__; pools are opened by ensure_pool
        self._pools[asyncio.get_running_loop()] = value

    async def ensure_pool(self) -> None:
        loop = asyncio.get_running_loop()
        if loop in self._pools:
            return
        lock = self._opening.setdefault(loop, asyncio.Lock())
        async with lock:
            if loop not in self._pools:
                with _reaching_postgres():
                    self._pools[loop] = await asyncpg.create_pool(
                        **self.config, min_size=1, max_size=self.pool_size
                    )

    async def close_connections(self) -> None:
        """Close this loop's pool; terminate those of other loops (they cannot be awaited
        from here, and their loops may be gone)."""
        loop = asyncio.get_running_loop()
        pools, self._pools = dict(self._pools), weakref.WeakKeyDictionary()
        for owner, pool in pools.items():
            if owner is loop:
                await pool.close()
            else:
                pool.terminate()

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True) -> Any:
        self._note(querystring)
        await self.ensure_pool()
        with _reaching_postgres():
            return await super().run_querystring(querystring, in_pool)

    async def get_new_connection(self) -> Any:
        with _reaching_postgres():
            return await super().get_new_connection()

    async def run_compiled(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        """SQL already compiled (portal.db.prepared): run, counted, nothing built."""
        self._note(sql)
        current = self.current_transaction.get()
        if current:
            with _reaching_postgres():
                rows = await current.connection.fetch(sql, *args)
        else:
            await self.ensure_pool()
            with _reaching_postgres():
                async with self.pool.acquire() as connection:  # type: ignore[union-attr]
                    rows = await connection.fetch(sql, *args)
        return [dict(row) for row in rows]

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        await self.ensure_pool()
        with _reaching_postgres():
            return await super().run_ddl(ddl, in_pool)

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return PooledPostgresTransaction(engine=self, allow_nested=allow_nested)


# --- Binding ------------------------------------------------------------------------------


def make_engine(
    url: str,
    pool_size: int = POOL_SIZE,
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    statement_timeout: float = STATEMENT_TIMEOUT,
) -> Engine:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return PooledSQLiteEngine(path=str(path))
    if parsed.scheme in {"postgres", "postgresql"}:
        return PooledPostgresEngine(
            url, pool_size, connect_timeout=connect_timeout, statement_timeout=statement_timeout
        )
    raise ValueError(f"Unsupported database URL: {parsed.scheme}://…")


def _url_of(engine: Engine) -> str | None:
    if isinstance(engine, PooledSQLiteEngine):
        return f"sqlite:///{engine.path}"
    if isinstance(engine, PooledPostgresEngine):
        return engine.config["dsn"]
    return None


def bind(
    url: str,
    pool_size: int = POOL_SIZE,
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    statement_timeout: float = STATEMENT_TIMEOUT,
) -> Engine:
    """Point Piccolo's config and every registered table at the database at `url`.
    Binding the same URL (pool size and timeouts) again keeps the engine and its connections."""
    current = piccolo_conf.DB
    timeouts = (connect_timeout, statement_timeout)
    same = (
        _url_of(current) == url
        and getattr(current, "pool_size", pool_size) == pool_size
        and getattr(current, "timeouts", timeouts) == timeouts
    )
    engine = (
        current
        if same
        else make_engine(
            url, pool_size, connect_timeout=connect_timeout, statement_timeout=statement_timeout
        )
    )
    piccolo_conf.DB = engine
    from piccolo.apps.migrations.tables import Migration

    for table in [*Finder().get_table_classes(), Migration]:
        table._meta.db = engine
    return engine


def query_count(engine: Engine) -> int:
    return getattr(engine, "queries", 0)


def recent_queries(engine: Engine, count: int) -> list[str]:
    recent = list(getattr(engine, "recent", ()))
    return [str(query) for query in recent[len(recent) - count :]] if count else []


async def close(engine: Engine) -> None:
    closer = getattr(engine, "close_connections", None)
    if closer is not None:
        await closer()


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
