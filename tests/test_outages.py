"""Which errors are a dependency down (the "unavailable" page, one log line) and which are a
fault of ours (the 500 page, a traceback): real exceptions, made the way the libraries make
them, one rule each."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import asyncpg
import botocore.exceptions
import pytest
import redis.exceptions

from portal.outages import DATABASE, DISK_FULL, REDIS, STORAGE, Unavailable, outage


def sqlite_error(tmp_path: Path, sql: str, setup: str = "") -> sqlite3.Error:
    path = tmp_path / "x.sqlite3"
    first = sqlite3.connect(path)
    if setup:
        first.executescript(setup)
    second = sqlite3.connect(path, timeout=0)
    try:
        second.execute(sql)
    except sqlite3.Error as error:
        return error
    finally:
        second.close()
        first.close()
    raise AssertionError(f"{sql} did not fail")


def test_sqlite_locked_past_its_busy_timeout_is_the_database(tmp_path: Path) -> None:
    error = sqlite_error(
        tmp_path, "INSERT INTO t VALUES (2)", "CREATE TABLE t (x); BEGIN EXCLUSIVE;"
    )
    assert error.sqlite_errorcode & 0xFF == 5  # SQLITE_BUSY
    assert outage(error).dependency == DATABASE


def test_a_mistake_in_our_sql_is_ours(tmp_path: Path) -> None:
    assert outage(sqlite_error(tmp_path, "SELECT * FROM no_such_table")) is None


def test_a_full_disk_is_disk_full_and_another_os_error_is_ours() -> None:
    assert outage(OSError(errno.ENOSPC, "No space left on device")).dependency == DISK_FULL
    assert outage(OSError(errno.EDQUOT, "Disk quota exceeded")).dependency == DISK_FULL
    assert outage(PermissionError(errno.EACCES, "Permission denied")) is None
    assert outage(FileNotFoundError(errno.ENOENT, "No such file")) is None
    assert outage(TimeoutError()) is None  # only where we connect is a timeout an outage


@pytest.mark.parametrize(
    ("error", "dependency"),
    [
        (asyncpg.QueryCanceledError("canceling statement due to statement timeout"), DATABASE),
        (asyncpg.ConnectionDoesNotExistError("connection was closed"), DATABASE),
        (asyncpg.CannotConnectNowError("the database system is starting up"), DATABASE),
        (asyncpg.TooManyConnectionsError("too many clients"), DATABASE),
        (redis.exceptions.ConnectionError("Connection refused"), REDIS),
        (redis.exceptions.TimeoutError("Timeout reading from socket"), REDIS),
        (botocore.exceptions.EndpointConnectionError(endpoint_url="http://s3"), STORAGE),
        (Unavailable(DATABASE, "TimeoutError"), DATABASE),
    ],
)
def test_each_dependency_is_named(error: Exception, dependency: str) -> None:
    assert outage(error).dependency == dependency


def test_our_own_errors_from_the_same_libraries_are_ours() -> None:
    assert outage(asyncpg.UniqueViolationError("duplicate key")) is None
    assert outage(redis.exceptions.ResponseError("WRONGTYPE")) is None


def test_s3_answering_5xx_is_storage_and_4xx_is_ours() -> None:
    def client_error(status: int, code: str) -> botocore.exceptions.ClientError:
        response = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
        return botocore.exceptions.ClientError(response, "PutObject")  # type: ignore[arg-type]

    assert outage(client_error(503, "SlowDown")).dependency == STORAGE
    assert outage(client_error(403, "AccessDenied")) is None


def test_an_outage_re_raised_by_the_code_that_met_it_is_still_one() -> None:
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as exc:
            raise RuntimeError("could not keep the upload") from exc
    except RuntimeError as wrapped:
        found = outage(wrapped)
    assert found is not None and found.dependency == DISK_FULL
    assert found.describe() == "disk full (OSError: [Errno 28] No space left on device)"


def test_unavailable_is_described_by_the_error_it_wraps() -> None:
    try:
        try:
            raise ConnectionRefusedError(111, "Connect call failed")
        except OSError as exc:
            raise Unavailable(DATABASE, str(exc)) from exc
    except Unavailable as named:
        found = outage(named)
    assert found is not None
    assert found.describe() == (
        "database unavailable (ConnectionRefusedError: [Errno 111] Connect call failed)"
    )
