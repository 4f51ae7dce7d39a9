"""What the portal counts for a monitoring platform, and the one-line hooks that the code
where those things happen calls (an upload refused, a sign-in, a lockout, a mail sent).
`portal.web.metrics` serves them at /metrics and times every request.

One process (`portal demo`, `portal serve` with one worker, the tests): the series live
in this process. Several (`portal serve --workers N`): `serve` points
PROMETHEUS_MULTIPROC_DIR at an empty directory before the workers start, each worker
writes its values to its own files there, and a scrape of any worker sums every worker's
(prometheus-client's multi-process mode). A worker that stops takes its "live" gauges
(requests in flight) with it: `worker_stopped` on a clean exit, `forget_dead_workers` at
the next worker's start for one that was killed. Counters of a dead worker stay: a
counter must never go down.

Labels are bounded: a route's *name* (never its path, which holds ids), a status code,
and short fixed vocabularies (below); anything else becomes "other".
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# The classic text format every Prometheus (and most agents) reads; Litestar adds the
# charset (utf-8) itself.
CONTENT_TYPE = "text/plain; version=0.0.4"

# Seconds: a page takes milliseconds, an upload of 100 MB on a slow line minutes.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

# Why an upload was refused (portal.documents), by how its audited reason begins: the
# event's file count or quota, the file too large, empty, of a type not allowed, named
# with another type's extension, holding macros, a virus found, or the scanner not there.
UPLOAD_REFUSALS = {
    "count": "count",
    "quota": "quota",
    "large": "large",
    "empty": "empty",
    "type": "type",
    "extension": "extension",
    "macros": "macros",
    "virus": "virus",
    "not scanned": "not_scanned",
}
# A sign-in's outcome: signed in, wrong username or password, refused because the name is
# locked (or has just been), refused by the rate limits.
SIGN_IN_OUTCOMES = ("success", "failure", "locked", "rate_limited")
# What happened to an outgoing mail: stored to send, sent (or written to the outbox), a
# try failed and will be retried, failed for good (the administrator's list).
MAIL_OUTCOMES = ("queued", "sent", "retry", "failed")
OTHER = "other"

# No `_created` series beside each counter and histogram: they would double the series,
# and multi-process mode has none, so one worker and several show the same names.
disable_created_metrics()

REQUESTS = Counter(
    "portal_http_requests",
    "HTTP requests answered, by route name and status",
    ["route", "status"],
)
LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer an HTTP request (the whole body sent), by route name and status",
    ["route", "status"],
    buckets=LATENCY_BUCKETS,
)
IN_FLIGHT = Gauge(
    "portal_http_requests_in_flight",
    "HTTP requests being answered now",
    multiprocess_mode="livesum",
)
UPLOAD_BYTES = Counter("portal_upload_bytes", "Bytes of uploaded files accepted (staged)")
UPLOAD_FILES = Counter("portal_upload_files", "Uploaded files accepted (staged)")
UPLOADS_REFUSED = Counter("portal_upload_refusals", "Uploaded files refused, by reason", ["reason"])
SIGN_INS = Counter("portal_sign_ins", "Sign-in attempts, by outcome", ["outcome"])
LOCKOUTS = Counter("portal_lockouts", "Usernames locked after too many wrong passwords in a row")
MAIL = Counter("portal_mail_messages", "Outgoing mail, by what happened to it", ["outcome"])

# Every fixed label value shows from the first scrape, at 0: a platform's rate() and
# alerts need the series to exist before the first event.
for _reason in (*UPLOAD_REFUSALS.values(), OTHER):
    UPLOADS_REFUSED.labels(_reason)
for _outcome in SIGN_IN_OUTCOMES:
    SIGN_INS.labels(_outcome)
for _outcome in MAIL_OUTCOMES:
    MAIL.labels(_outcome)


# What counts in plain Python first and pushes into the values above now and then
# (portal.web.metrics' request tallies): pushed before every scrape and at a worker's exit.
_FLUSHES: list[Callable[[], None]] = []


def on_flush(push: Callable[[], None]) -> None:
    _FLUSHES.append(push)


def flush() -> None:
    for push in _FLUSHES:
        push()


# Hooks: one line where the thing happens --------------------------------------------


_REQUEST_CHILDREN: dict[tuple[str, str], tuple[Any, Any]] = {}


def observed(route: str, status: str, count: int, seconds: float, buckets: list[int]) -> None:
    """`count` requests to `route` answered with `status`, taking `seconds` in all, spread
    over the latency buckets as `buckets` (one count per bucket, the last one +Inf).
    prometheus-client has no call to add many observations at once: this adds to the
    histogram's own sum and buckets (as its `observe` does, one at a time; the version is
    pinned in pyproject.toml and tests/web/test_metrics.py checks the buckets it shows)."""
    children = _REQUEST_CHILDREN.get((route, status))
    if children is None:
        children = _REQUEST_CHILDREN[(route, status)] = (
            REQUESTS.labels(route, status),
            LATENCY.labels(route, status),
        )
    requests, latency = children
    requests.inc(count)
    latency._sum.inc(seconds)
    for index, in_bucket in enumerate(buckets):
        if in_bucket:
            latency._buckets[index].inc(in_bucket)


def upload_accepted(size: int) -> None:
    UPLOAD_FILES.inc()
    UPLOAD_BYTES.inc(size)


def upload_refused(reason: str) -> None:
    """`reason` as audited ("type not allowed (zip archive)"): the label is the one of
    UPLOAD_REFUSALS it begins with, else "other" (e.g. a colleague's upload reached the
    event's limit first: its reason is the message the user saw)."""
    label = next((v for k, v in UPLOAD_REFUSALS.items() if reason.startswith(k)), OTHER)
    UPLOADS_REFUSED.labels(label).inc()


def sign_in(outcome: str) -> None:
    SIGN_INS.labels(outcome if outcome in SIGN_IN_OUTCOMES else OTHER).inc()


def locked_out() -> None:
    LOCKOUTS.inc()


def mail(outcome: str, count: int = 1) -> None:
    if count:
        MAIL.labels(outcome if outcome in MAIL_OUTCOMES else OTHER).inc(count)


# Readings made at scrape time (one query each, by their owners) ---------------------


@dataclass(frozen=True)
class Reading:
    """A gauge computed when /metrics is asked (e.g. the age of the oldest unsent mail),
    by the part that owns the data; never stored between scrapes."""

    name: str
    help: str
    value: float


class _Readings(Collector):
    def __init__(self, readings: Iterable[Reading]) -> None:
        self.readings = list(readings)

    def collect(self) -> Iterable[GaugeMetricFamily]:
        for reading in self.readings:
            yield GaugeMetricFamily(reading.name, reading.help, value=reading.value)


def exposition(readings: Iterable[Reading] = ()) -> bytes:
    """Every series in Prometheus' text format: this process's (or, in multi-process
    mode, every worker's, summed) and the scrape-time readings."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    now = CollectorRegistry()
    now.register(_Readings(readings))
    return counted + generate_latest(now)


# Several workers ---------------------------------------------------------------------


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def prepare_multiprocess_dir() -> tuple[Path, bool]:
    """Before `serve` starts its workers: the directory they share, empty. The operator's
    PROMETHEUS_MULTIPROC_DIR if set (emptied: files of an earlier run would be summed in),
    else a fresh temporary one. Returns (directory, made here: remove it at exit)."""
    given = multiprocess_dir()
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for old in path.glob("*.db"):
            old.unlink()
        return path, False
    path = Path(tempfile.mkdtemp(prefix="portal-metrics-"))
    os.environ[MULTIPROC_ENV] = str(path)  # inherited by the workers uvicorn spawns
    return path, True


def remove_multiprocess_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    os.environ.pop(MULTIPROC_ENV, None)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_dead_workers() -> None:
    """At a worker's start: the live gauges of workers that died without `worker_stopped`
    (killed, crashed) are dropped, so that requests in flight do not count them for ever."""
    path = multiprocess_dir()
    if not path:
        return
    pids = {
        int(match.group(1))
        for name in glob.glob(os.path.join(path, "gauge_live*_*.db"))
        if (match := re.search(r"_(\d+)\.db$", name))
    }
    for pid in pids:
        if pid != os.getpid() and not _alive(pid):
            multiprocess.mark_process_dead(pid, path)


def worker_stopped() -> None:
    """At a worker's clean exit: its live gauges go (its counters stay in the sums)."""
    flush()
    path = multiprocess_dir()
    if path:
        with contextlib.suppress(FileNotFoundError):
            multiprocess.mark_process_dead(os.getpid(), path)
