"""Shared fixtures: a real database (SQLite always; PostgreSQL too when it answers),
the app, an HTTP client that signs in as a user, and factories for the domain.

Every database test runs once per backend: `db` is parametrized, and the PostgreSQL
parameter exists only when the server at 127.0.0.1:5432 answers (no skip marks).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("PICCOLO_CONF", "portal.db.piccolo_conf")

from litestar import Litestar

from portal.app import create_app
from portal.db import engine as db_engine
from portal.settings import Settings
from tests import backends
from tests.access import CHECKED, WHO
from tests.client import PortalClient
from tests.factories import Factory
from tests.html_check import Report, record_page, validate_recorded_pages
from tests.services import (
    PG_ADMIN_URL,
    REDIS_URL,
    postgres_answers,
    redis_answers,
    remove_keys,
    run_sync,
)

# One Redis key prefix for the whole run (parallel workers and pytest runs started by a
# test inherit it): two runs on one Redis never meet, and the run that made the prefix
# removes its keys at the end. Servers the tests start read it as PORTAL_REDIS_PREFIX.
OWNS_REDIS_PREFIX = "PORTAL_TEST_REDIS_PREFIX" not in os.environ
REDIS_PREFIX = os.environ.setdefault(
    "PORTAL_TEST_REDIS_PREFIX", f"portal-test-{uuid.uuid4().hex[:12]}:"
)
os.environ["PORTAL_REDIS_PREFIX"] = REDIS_PREFIX
REDIS_KEYS_REMOVED = pytest.StashKey[int]()

POSTGRES = postgres_answers()
REDIS = redis_answers()
BACKENDS = ["sqlite", *(["postgres"] if POSTGRES else [])]
HTML_REPORT = pytest.StashKey[Report]()
TALLY = backends.Tally()  # this process's tests by service (the main one's: all of them)


def pytest_configure(config: pytest.Config) -> None:
    """In CI (CI=true) the services every test machine runs must answer: a missing one is a
    failure, not fewer tests."""
    for name in ("redis", "postgres"):  # counted in the summary's "backends:" line
        config.addinivalue_line("markers", f"{name}: uses {name} other than by a parameter")
    if os.environ.get("CI") != "true":
        return
    missing = [
        f"{name} at {url}"
        for name, url, answers in (
            ("PostgreSQL", PG_ADMIN_URL, POSTGRES),
            ("Redis", REDIS_URL, REDIS),
        )
        if not answers
    ]
    if missing:
        raise pytest.UsageError(f"CI=true but {' and '.join(missing)} did not answer")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    backends.label(item, report)
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    TALLY.add(report)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"database backends: {', '.join(BACKENDS)}",
        f"redis: {'yes' if REDIS else 'not reachable: Redis-backed tests not generated'}",
    ]


@dataclass(frozen=True)
class Database:
    backend: str
    url: str


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "portal.sqlite3"

    async def build() -> None:
        engine = db_engine.bind(f"sqlite:///{path}")
        await db_engine.migrate()
        await db_engine.close(engine)

    run_sync(build())
    return path


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _create_database(name: str) -> None:
    import asyncpg

    # Parallel workers create their databases at the same moment, and PostgreSQL
    # refuses a CREATE DATABASE while another is copying template1: try again.
    for attempt in range(40):
        try:
            await _pg_admin(f'CREATE DATABASE "{name}"')
            return
        except asyncpg.ObjectInUseError:
            await asyncio.sleep(0.25 + attempt * 0.05)
    await _pg_admin(f'CREATE DATABASE "{name}"')


@contextmanager
def fresh_postgres(prefix: str) -> Iterator[str]:
    """A PostgreSQL database of its own (its URL), dropped afterwards."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    backends.reached("postgres")
    run_sync(_create_database(name))
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        run_sync(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated database for this run, dropped at the end."""

    async def build(url: str) -> None:
        engine = db_engine.bind(url)
        await db_engine.migrate()
        await db_engine.close(engine)

    with fresh_postgres("portal_test") as url:
        run_sync(build(url))
        yield url


async def _truncate_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'migration'"
        )
        if tables:
            names = ", ".join(f'"{row["tablename"]}"' for row in tables)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses the database runs once per backend. Access matrices
    (test_access.py) check routing and permissions, not SQL: they run on SQLite only."""
    if "db" in metafunc.fixturenames:
        access_matrix = metafunc.module.__name__.endswith("test_access")
        metafunc.parametrize("db", ["sqlite"] if access_matrix else BACKENDS, indirect=True)


@pytest.fixture
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "portal.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        await _truncate_postgres(url)
    engine = db_engine.bind(url)
    yield Database(backend=request.param, url=url)
    await db_engine.close(engine)


@pytest.fixture
def settings(db: Database, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db.url,
        secret_key="test-secret-key",
        mail_worker=False,
        support_contact="the inspection support team on 0300 000 0000",
        redis_prefix=REDIS_PREFIX,
    )


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[PortalClient]:
    async with PortalClient.for_app(app, on_page=record_page) as test_client:
        yield test_client


@pytest.fixture
def make(settings: Settings) -> Factory:
    return Factory(settings)


@pytest.fixture(scope="module", autouse=True)
def _access_matrix_is_whole(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test_access module checks every route it names in COVERS for every kind of user."""
    yield
    covers = getattr(request.module, "COVERS", None)
    if covers is None or not request.module.__name__.endswith("test_access"):
        return
    if request.session.testsfailed or request.config.getoption("keyword"):
        return  # a partial run: the failures say more than this would
    gaps = {name: sorted(set(WHO) - CHECKED[name]) for name in covers}
    gaps = {name: who for name, who in gaps.items() if who}
    assert not gaps, f"{request.module.__name__}: routes not checked for every user: {gaps}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Every distinct page state the tests fetched must pass the Nu Html Checker (checked
    once, by the main process, after every parallel worker has finished). A failure sets
    the exit status and is counted in the summary line: "N passed" cannot hide it."""
    if hasattr(session.config, "workerinput"):
        return
    if OWNS_REDIS_PREFIX and REDIS:
        session.config.stash[REDIS_KEYS_REMOVED] = remove_keys(REDIS_PREFIX)
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        return
    report = validate_recorded_pages()
    session.config.stash[HTML_REPORT] = report
    if report.problems:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:  # "N passed, K html errors" in the last line
            reporter.stats.setdefault("html errors", []).extend(report.problems)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if TALLY:
        terminalreporter.write_sep("-", f"backends: {TALLY.line()}")
    removed = config.stash.get(REDIS_KEYS_REMOVED, None)
    if removed is not None:
        terminalreporter.write_line(f"redis: {removed} keys of this run ({REDIS_PREFIX}*) removed")
    report = config.stash.get(HTML_REPORT, None)
    if report is None or not report.pages:
        return
    terminalreporter.section("Nu Html Checker", red=bool(report.problems))
    terminalreporter.line(
        f"{report.pages} distinct page states checked in {report.seconds:.1f} s, "
        f"{len(report.problems)} errors"
    )
    for problem in report.problems[:50]:
        terminalreporter.line("  " + problem, red=True)
