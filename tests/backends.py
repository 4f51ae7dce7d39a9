"""How many tests ran against each service, printed at the end of every run: a run that
quietly lost PostgreSQL or Redis shows it in numbers, not only in a shorter total.

A test's services come from the tests themselves: its parameters (the `db` fixture's
"sqlite"/"postgres", a store or limiter's "redis"), a `redis` or `postgres` marker for a
test that uses one another way (a server started with PORTAL_REDIS_URL), or what the
test reached through a helper that notes it (fresh_postgres). Collected on the process
that runs the test (an xdist worker), carried to the main process in the report's
user_properties."""

from __future__ import annotations

import os
from collections import Counter, defaultdict

import pytest

NAMES = ("sqlite", "postgres", "redis")
NONE = "no service"
PROPERTY = "backends"


# Services a running test reached without a parameter (say, a database of its own from
# fresh_postgres), by test id: noted by the helper that reached it.
_reached: defaultdict[str, set[str]] = defaultdict(set)


def reached(name: str) -> None:
    """Note that the test running now uses service `name`."""
    current = os.environ.get("PYTEST_CURRENT_TEST", "")
    if current:
        _reached[current.rsplit(" ", 1)[0]].add(name)


def backends_of(item: pytest.Item) -> list[str]:
    callspec = getattr(item, "callspec", None)
    params = {v for v in callspec.params.values() if isinstance(v, str)} if callspec else set()
    params |= {name for name in NAMES if item.get_closest_marker(name) is not None}
    params |= _reached.get(item.nodeid, set())
    return [name for name in NAMES if name in params]


def label(item: pytest.Item, report: pytest.TestReport) -> None:
    """The report carries the item's services to the main process (its own list: the
    item's user_properties is shared by the setup, call and teardown reports)."""
    others = [prop for prop in report.user_properties if prop[0] != PROPERTY]
    report.user_properties = [*others, (PROPERTY, ",".join(backends_of(item)))]


class Tally:
    """Each test's outcome (a failure in setup or teardown counts as an error), by service."""

    def __init__(self) -> None:
        self._tests: dict[str, tuple[list[str], str]] = {}

    def add(self, report: pytest.TestReport) -> None:
        if report.when != "call" and report.passed:
            return  # setup and teardown passing say nothing new
        if report.failed:
            outcome = "failed" if report.when == "call" else "error"
        else:
            outcome = "skipped" if report.skipped else "passed"
        backends = dict(report.user_properties).get(PROPERTY, "")
        known = self._tests.get(report.nodeid)
        if known is None or known[1] in ("passed", "skipped"):
            self._tests[report.nodeid] = (backends.split(",") if backends else [], outcome)

    def __bool__(self) -> bool:
        return bool(self._tests)

    def counts(self) -> dict[str, Counter[str]]:
        found: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for backends, outcome in self._tests.values():
            for name in backends or [NONE]:
                found[name][outcome] += 1
        return found

    def line(self) -> str:
        """'sqlite: 612 passed · postgres: 233 passed, 1 failed · redis: 25 passed · ...'"""
        counts = self.counts()
        order = ("passed", "failed", "error", "skipped")
        parts = []
        for name in (*NAMES, NONE):
            outcomes = counts.get(name, Counter())
            text = ", ".join(f"{outcomes[o]} {o}" for o in order if outcomes[o]) or "0 passed"
            parts.append(f"{name}: {text}")
        return " · ".join(parts)
