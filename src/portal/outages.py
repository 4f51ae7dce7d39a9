"""What counts as an outage of something the service depends on (the database, Redis,
document storage, a full disk), as opposed to a fault in our own code.

An outage is the service's "unavailable" answer (503, the user told that nothing they saved
is lost) and one log line; a fault is the generic 500 and a traceback. The test is on the
exception and on what caused it (`__cause__`/`__context__`), so a storage error re-raised
by the code that met it still counts.

Errors that name no dependency by their type (a refused or timed-out connection is a plain
OSError or TimeoutError) are turned into `Unavailable` where we make the connection
(db/engine.py for PostgreSQL), so a TimeoutError elsewhere in our code stays a fault.
"""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass

import asyncpg
import botocore.exceptions
import redis.exceptions

DATABASE = "database"
REDIS = "redis"
STORAGE = "storage"
DISK_FULL = "disk full"

# SQLite's primary result codes (the low byte of `sqlite_errorcode`) that mean the file
# cannot be used now, not that our SQL is wrong.
_SQLITE_FULL = 13
_SQLITE_UNAVAILABLE = {5, 6, 10, 14}  # BUSY (past busy_timeout), LOCKED, IOERR, CANTOPEN
_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}

# PostgreSQL refusing or losing us, cancelling a statement past statement_timeout,
# out of connections, shutting down or starting up.
_POSTGRES = (
    asyncpg.PostgresConnectionError,
    asyncpg.QueryCanceledError,
    asyncpg.OperatorInterventionError,
    asyncpg.InsufficientResourcesError,
)
_REDIS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
# An S3 endpoint that does not answer, drops the connection or times out.
_S3 = (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)


class Unavailable(Exception):
    """Raised where we connect to a dependency that did not answer."""

    def __init__(self, dependency: str, detail: str = "") -> None:
        super().__init__(f"{dependency} unavailable" + (f": {detail}" if detail else ""))
        self.dependency = dependency


@dataclass(frozen=True)
class Outage:
    dependency: str  # one of DATABASE, REDIS, STORAGE, DISK_FULL
    error: BaseException  # the exception that named it

    def describe(self, limit: int = 200) -> str:
        """One line for the log: which dependency and the error's kind and words."""
        words = " ".join(str(self.error).split())[:limit]
        what = self.dependency if self.dependency == DISK_FULL else f"{self.dependency} unavailable"
        return f"{what} ({type(self.error).__name__}: {words})"


def _dependency(exc: BaseException) -> str | None:
    if isinstance(exc, Unavailable):
        return exc.dependency
    if isinstance(exc, sqlite3.Error):
        code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
        if code == _SQLITE_FULL:
            return DISK_FULL
        return DATABASE if code in _SQLITE_UNAVAILABLE else None
    if isinstance(exc, _POSTGRES):
        return DATABASE
    if isinstance(exc, _REDIS):
        return REDIS
    if isinstance(exc, _S3):
        return STORAGE
    if isinstance(exc, botocore.exceptions.ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return STORAGE if status >= 500 else None  # 503 SlowDown, 500 InternalError
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL_ERRNOS:
        return DISK_FULL
    return None


def outage(exc: BaseException) -> Outage | None:
    """The outage `exc` (or what caused it) reports; None for any other error."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        dependency = _dependency(current)
        if dependency is not None:
            # Ours only names the dependency: the error it wraps says what happened.
            named = current.__cause__ if isinstance(current, Unavailable) else None
            return Outage(dependency, named or current)
        current = current.__cause__ or current.__context__
    return None
