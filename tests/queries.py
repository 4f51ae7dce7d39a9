"""Counting the SQL queries a request makes: route tests assert each page's budget.
A count is not a timing: it does not flake, and a page that grows a query per row or
per section fails here first.

The count is the request's own (the request log line carries it, `queries=N`), so a
background task's queries at the same moment are not charged to the page."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from portal.db import engine as db_engine
from portal.db import piccolo_conf


@dataclass
class Queries:
    count: int = 0
    statements: list[str] = field(default_factory=list)

    def at_most(self, budget: int) -> bool:
        return self.count <= budget

    def __str__(self) -> str:
        return f"{self.count} queries (the last ones run):\n" + "\n".join(self.statements)


@contextmanager
def counted(caplog: pytest.LogCaptureFixture) -> Iterator[Queries]:
    """`with counted(caplog) as queries: await client.get(...)`, then `queries.count`."""
    caplog.set_level(logging.INFO, logger="portal.request")
    seen = len(caplog.records)
    queries = Queries()
    try:
        yield queries
    finally:
        requests = [r for r in caplog.records[seen:] if r.name == "portal.request"]
        assert requests, "no request was logged"
        queries.count = sum(record.queries for record in requests)  # type: ignore[attr-defined]
        queries.statements = db_engine.recent_queries(piccolo_conf.DB, queries.count)
