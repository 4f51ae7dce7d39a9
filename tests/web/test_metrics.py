"""/metrics: every series in Prometheus' text format for a loopback (or allowed) client,
403 for anyone else (a trusted proxy's forwarded client included), and each counter
moving when a test does the matching thing: a request, an upload kept or refused, a
sign-in, a lockout, a mail queued, sent, retried or failed; the gauges computed at scrape
time from what is stored."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from prometheus_client import REGISTRY
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from portal import mail, metrics
from portal.accuracy.tables import AccuracyCheck
from portal.app import create_app
from portal.cli import refusal
from portal.db.tables import Event, OutgoingMail
from portal.settings import Settings
from portal.web.metrics import FLUSH_SECONDS, allowed_networks
from tests.accuracy.helpers import publish_draft
from tests.client import PortalClient
from tests.conftest import REDIS_URL
from tests.deploy.servers import portal_env, serving
from tests.documents.conftest import upload
from tests.documents.samples import EXE, PDF
from tests.factories import PASSWORD, Factory
from tests.html_check import record_page

Labels = frozenset[tuple[str, str]]
Samples = dict[tuple[str, Labels], float]

SERIES = [
    "portal_http_requests_total",
    "portal_http_request_duration_seconds_bucket",
    "portal_http_request_duration_seconds_count",
    "portal_http_request_duration_seconds_sum",
    "portal_http_requests_in_flight",
    "portal_upload_bytes_total",
    "portal_upload_files_total",
    "portal_upload_refusals_total",
    "portal_sign_ins_total",
    "portal_lockouts_total",
    "portal_mail_messages_total",
    "portal_mail_unsent",
    "portal_mail_oldest_unsent_age_seconds",
    "portal_mail_failed_unresolved",
    "portal_accuracy_checks_open",
    "portal_accuracy_checks_due_within_one_working_day",
]


class Peer:
    """The app as reached over TCP from `address` (the test client has no address of its
    own: Litestar's is "testclient"). The address may change between requests."""

    def __init__(self, app: Litestar, address: str = "127.0.0.1") -> None:
        self.app, self.address = app, address

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope["client"] = (self.address, 40000)
        await self.app(scope, receive, send)


@pytest.fixture
def peer(app: Litestar) -> Peer:
    return Peer(app)


@pytest.fixture
async def web(app: Litestar, peer: Peer) -> AsyncIterator[PortalClient]:
    """A portal client whose requests come from `peer.address` (loopback at first)."""
    async with AsyncTestClient(app=peer, base_url="http://testserver.local") as http:  # type: ignore[arg-type]
        http.follow_redirects = False
        yield PortalClient(http, app, record_page)


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(web: PortalClient) -> Samples:
    response = await web.get("/metrics")
    assert response.status_code == 200, response.text
    return parse(response.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


# --- who may read it ----------------------------------------------------------------


async def test_loopback_reads_every_series_without_a_cookie_or_a_log_line(
    web: PortalClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="portal.request"):
        await web.get("/sign-in")  # one request, so that the request series have a sample
        response = await web.get("/metrics")
    logged = [r.getMessage() for r in caplog.records if r.name == "portal.request"]
    assert len(logged) == 1 and logged[0].startswith("GET /sign-in 200")  # not /metrics
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == "no-store"
    names = {name for name, _ in parse(response.text)}
    assert [name for name in SERIES if name not in names] == []
    assert [name for name in names if name.endswith("_created")] == []  # as with several workers
    samples = parse(response.text)
    assert value(samples, "portal_http_requests_total", route="auth.sign_in", status="200") >= 1
    # Fixed vocabularies show from the start, at zero if nothing happened yet.
    for reason in ("count", "quota", "large", "empty", "type", "other"):
        assert ("portal_upload_refusals_total", frozenset({("reason", reason)})) in samples
    for outcome in ("success", "failure", "locked", "rate_limited"):
        assert ("portal_sign_ins_total", frozenset({("outcome", outcome)})) in samples
    for outcome in ("queued", "sent", "retry", "failed"):
        assert ("portal_mail_messages_total", frozenset({("outcome", outcome)})) in samples


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
async def test_every_loopback_address_may_read_it(
    web: PortalClient, peer: Peer, address: str
) -> None:
    peer.address = address
    assert (await web.get("/metrics")).status_code == 200


@pytest.mark.parametrize("address", ["203.0.113.7", "10.1.2.3", "::2", "testclient"])
async def test_any_other_address_is_refused(web: PortalClient, peer: Peer, address: str) -> None:
    peer.address = address
    response = await web.get("/metrics")
    assert response.status_code == 403
    assert "portal_http_requests_total" not in response.text
    assert "You do not have permission to do this" in response.text


async def test_a_client_relayed_by_a_trusted_proxy_is_refused(settings: Settings) -> None:
    """The proxy itself is on loopback; the client it names is not: the client decides."""
    app = create_app(settings.with_(trusted_proxies="127.0.0.1"))
    async with AsyncTestClient(app=Peer(app, "127.0.0.1"), base_url="http://t.local") as http:  # type: ignore[arg-type]
        relayed = await http.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
        direct = await http.get("/metrics")
    assert relayed.status_code == 403
    assert direct.status_code == 200


async def test_an_untrusted_peer_cannot_claim_loopback(settings: Settings) -> None:
    app = create_app(settings.with_(trusted_proxies="10.0.0.0/8"))
    async with AsyncTestClient(app=Peer(app, "203.0.113.7"), base_url="http://t.local") as http:  # type: ignore[arg-type]
        response = await http.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert response.status_code == 403


async def test_the_allow_list_takes_addresses_and_cidrs(settings: Settings) -> None:
    app = create_app(settings.with_(metrics_allow="10.0.0.0/8, 192.0.2.5"))
    peer = Peer(app, "10.200.3.4")
    async with AsyncTestClient(app=peer, base_url="http://t.local") as http:  # type: ignore[arg-type]
        answers = {}
        for address in ("10.200.3.4", "192.0.2.5", "192.0.2.6", "127.0.0.1"):
            peer.address = address
            answers[address] = (await http.get("/metrics")).status_code
    # Loopback is the default, not a rule: a list that leaves it out refuses it.
    assert answers == {"10.200.3.4": 200, "192.0.2.5": 200, "192.0.2.6": 403, "127.0.0.1": 403}


def test_a_malformed_allow_list_names_the_setting() -> None:
    with pytest.raises(ValueError, match=r"PORTAL_METRICS_ALLOW: not an address or network: x"):
        allowed_networks("127.0.0.1, x")


def test_serve_refuses_to_start_with_a_malformed_allow_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORTAL_SECRET_KEY", "a-key-for-this-test-only")
    assert refusal(Settings(metrics_allow="10.0.0.0/8, 10.0.0.0/33"), 1) == (
        "portal serve: PORTAL_METRICS_ALLOW: not an address or network: 10.0.0.0/33"
    )
    assert refusal(Settings(metrics_allow="10.0.0.0/8"), 1) is None


# --- the counters move ----------------------------------------------------------------


async def test_requests_are_counted_and_timed_by_route_name_and_status(
    web: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await web.sign_in_as(world.provider_user)
    before = await scrape(web)
    for _ in range(3):
        assert (await web.get(f"/events/{world.event.id}")).status_code == 200
    assert (await web.get(f"/events/{world.other_event.id}")).status_code == 404
    assert (await web.get("/no-such-page")).status_code == 404
    after = await scrape(web)
    # By the route's name, never its path: one series for every event's profile page.
    requests = "portal_http_requests_total"
    assert moved(before, after, requests, route="events.profile", status="200") == 3
    assert moved(before, after, requests, route="events.profile", status="404") == 1
    assert moved(before, after, requests, route="none", status="404") == 1
    count = "portal_http_request_duration_seconds_count"
    assert moved(before, after, count, route="events.profile", status="200") == 3
    total = "portal_http_request_duration_seconds_sum"
    assert moved(before, after, total, route="events.profile", status="200") > 0
    inf = "portal_http_request_duration_seconds_bucket"
    assert moved(before, after, inf, route="events.profile", status="200", le="+Inf") == 3
    assert not [labels for name, labels in after if "/events/" in str(labels)]
    # The scrape before this one is counted too; the one in progress is in flight now.
    assert value(after, "portal_http_requests_in_flight") == 1


async def test_uploads_count_bytes_kept_and_refusals_by_reason(
    web: PortalClient, make: Factory
) -> None:
    world = await make.world()
    await web.sign_in_as(world.provider_user)
    url = f"/events/{world.event.id}/documents"
    before = await scrape(web)
    assert (await upload(web, url, [("Plan.pdf", PDF)])).status_code == 303
    await upload(web, url, [("empty.pdf", b"")])
    await upload(web, url, [("tool.pdf", EXE, "application/pdf")])
    after = await scrape(web)
    assert moved(before, after, "portal_upload_bytes_total") == len(PDF)
    assert moved(before, after, "portal_upload_files_total") == 1
    assert moved(before, after, "portal_upload_refusals_total", reason="empty") == 1
    assert moved(before, after, "portal_upload_refusals_total", reason="type") == 1
    assert moved(before, after, "portal_upload_refusals_total", reason="large") == 0


async def test_sign_ins_count_success_failure_and_lockouts(
    web: PortalClient, make: Factory, settings: Settings
) -> None:
    user = await make.user("provider", username="counted.user")
    before = await scrape(web)
    ok = await web.post("/sign-in", {"username": user.username, "password": PASSWORD})
    assert ok.status_code == 303
    web.sign_out_locally()
    for _ in range(settings.lockout_attempts):  # the last of these locks the account
        wrong = await web.post("/sign-in", {"username": user.username, "password": "wrong"})
        assert wrong.status_code == 200
    assert "Your account is locked" in wrong.text
    refused = await web.post("/sign-in", {"username": user.username, "password": PASSWORD})
    assert "Your account is locked" in refused.text
    after = await scrape(web)
    assert moved(before, after, "portal_sign_ins_total", outcome="success") == 1
    assert moved(before, after, "portal_sign_ins_total", outcome="failure") == 4
    assert moved(before, after, "portal_sign_ins_total", outcome="locked") == 2
    assert moved(before, after, "portal_lockouts_total") == 1


async def test_sign_ins_over_the_rate_limit_are_counted(web: PortalClient, make: Factory) -> None:
    user = await make.user("provider", username="hurried.user")
    before = await scrape(web)
    answers: list[bool] = []
    # The per-username limit is 10 in a fixed minute: 21 tries pass it in one minute or
    # the next, whenever the first one falls.
    while len(answers) < 21 and not any(answers):
        answer = await web.post("/sign-in", {"username": user.username, "password": "wrong"})
        answers.append("Too many attempts to sign in" in answer.text)
    after = await scrape(web)
    assert moved(before, after, "portal_sign_ins_total", outcome="rate_limited") == sum(answers)
    assert sum(answers) >= 1


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("virus found (Eicar-Test-Signature)", "virus"),
        ("not scanned (clamd did not answer)", "not_scanned"),
        ("extension not of its type (application/pdf)", "extension"),
        ("macros", "macros"),
        ("The event already has 100 documents", "other"),  # a colleague's upload got in first
        ("Typed by someone: count me", "other"),
    ],
)
def test_a_refusal_reason_becomes_one_of_a_few_labels(reason: str, label: str) -> None:
    def count() -> float:
        sample = REGISTRY.get_sample_value("portal_upload_refusals_total", {"reason": label})
        return sample or 0.0

    before = count()
    metrics.upload_refused(reason)
    assert count() == before + 1


async def test_mail_queued_sent_retried_and_failed_are_counted(
    web: PortalClient, settings: Settings
) -> None:
    before = await scrape(web)
    await mail.enqueue(to="head@oakfield.example", subject="Sent", text="One")
    await mail.enqueue(to="head@oakfield.example", subject="Also sent", text="Two")
    assert await mail.deliver_pending(settings) == 2  # into the outbox
    # A mail server that does not answer: the try fails and is retried later.
    await mail.enqueue(to="bursar@oakfield.example", subject="Retried", text="Three")
    assert await mail.deliver_pending(settings.with_(smtp_url="smtp://127.0.0.1:9?timeout=2")) == 0
    # An address with a line break can never be sent: failed for good at once.
    await mail.enqueue(to="a@example.com\nBcc: b@example.com", subject="Bad", text="Four")
    await OutgoingMail.update({OutgoingMail.next_attempt_at: datetime.now(UTC)}).where(
        OutgoingMail.status == "queued"
    )
    await mail.deliver_pending(settings)
    after = await scrape(web)
    assert moved(before, after, "portal_mail_messages_total", outcome="queued") == 4
    assert moved(before, after, "portal_mail_messages_total", outcome="sent") == 3
    assert moved(before, after, "portal_mail_messages_total", outcome="retry") == 1
    assert moved(before, after, "portal_mail_messages_total", outcome="failed") == 1
    assert value(after, "portal_mail_unsent") == 0
    assert value(after, "portal_mail_oldest_unsent_age_seconds") == 0
    assert value(after, "portal_mail_failed_unresolved") == 1


# --- gauges computed at scrape time ---------------------------------------------------


async def test_the_oldest_unsent_mail_is_measured_when_scraped(web: PortalClient) -> None:
    assert value(await scrape(web), "portal_mail_oldest_unsent_age_seconds") == 0
    old = await mail.enqueue(to="a@oakfield.example", subject="Old", text="Waiting")
    await mail.enqueue(to="b@oakfield.example", subject="New", text="Waiting too")
    ten_minutes_ago = datetime.now(UTC) - timedelta(minutes=10)
    await OutgoingMail.update({OutgoingMail.created_at: ten_minutes_ago}).where(
        OutgoingMail.id == old
    )
    samples = await scrape(web)
    assert value(samples, "portal_mail_unsent") == 2
    assert 600 <= value(samples, "portal_mail_oldest_unsent_age_seconds") < 660


async def test_accuracy_checks_open_and_due_within_a_working_day(
    web: PortalClient, make: Factory
) -> None:
    world = await make.world()
    now = datetime.now(UTC)
    events = [world.event, world.other_event]
    for _ in range(4):
        events.append(await make.event(world.provider))
    for event in events:
        await publish_draft(make, world, event)  # each due in five working days: open
    due_soon, overdue, completed, closed, extended = events[1:]

    async def change(event: Event, **fields: Any) -> None:
        await AccuracyCheck.update(
            {getattr(AccuracyCheck, name): value for name, value in fields.items()}
        ).where(AccuracyCheck.event == event.id)

    await change(due_soon, due_at=now + timedelta(hours=1))
    await change(overdue, due_at=now - timedelta(minutes=1))
    await change(completed, due_at=now + timedelta(hours=1), status="completed")
    await change(extended, due_at=now - timedelta(days=1), extended_due_at=now + timedelta(hours=2))
    await Event.update({Event.status: "closed"}).where(Event.id == closed.id)
    samples = await scrape(web)
    # Open: the one due in five working days, the one due soon, the extended one.
    assert value(samples, "portal_accuracy_checks_open") == 3
    assert value(samples, "portal_accuracy_checks_due_within_one_working_day") == 2


async def test_a_reading_that_fails_is_left_out_and_logged(
    app: Litestar, web: PortalClient, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken() -> list[metrics.Reading]:
        raise ConnectionError("the database went away")

    app.state.metric_sources = (broken, *app.state.metric_sources)
    with caplog.at_level(logging.WARNING, logger="portal.metrics"):
        samples = await scrape(web)
    assert "portal_mail_unsent" in {name for name, _ in samples}  # the others still read
    assert "portal_sign_ins_total" in {name for name, _ in samples}
    assert [r.getMessage() for r in caplog.records if r.name == "portal.metrics"] == [
        "metrics: test_a_reading_that_fails_is_left_out_and_logged.<locals>.broken failed: "
        "ConnectionError: the database went away"
    ]


# --- several workers -------------------------------------------------------------------


def sign_in_pages_by_worker(shared: Path) -> dict[int, float]:
    """What each worker's own file says it answered of GET /sign-in (200)."""
    counts: dict[int, float] = {}
    for path in shared.glob("counter_*.db"):
        pid = int(re.search(r"_(\d+)\.db$", path.name).group(1))  # type: ignore[union-attr]
        for key, count, _, _ in MmapedDict.read_all_values_from_file(str(path)):
            _, name, labels, _ = json.loads(key)
            wanted = {"route": "auth.sign_in", "status": "200"}
            if name == "portal_http_requests_total" and labels == wanted:
                counts[pid] = counts.get(pid, 0) + count
    return counts


def settled(shared: Path, sent: int) -> dict[int, float]:
    """Each worker's count once both have pushed their tallies (within FLUSH_SECONDS)."""
    deadline = time.monotonic() + 10 * FLUSH_SECONDS
    while True:
        by_worker = sign_in_pages_by_worker(shared)
        if sum(by_worker.values()) == sent or time.monotonic() > deadline:
            return by_worker
        time.sleep(0.1)


def test_two_workers_are_summed_by_one_scrape(tmp_path: Path) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    stale = shared / "counter_999999.db"
    stale.write_bytes(b"an earlier run's file")
    env = portal_env(
        tmp_path / "data",
        PORTAL_REDIS_URL=REDIS_URL.rsplit("/", 1)[0] + "/11",  # not the other tests' database
        PROMETHEUS_MULTIPROC_DIR=str(shared),
    )
    sent = 0
    with serving(env, tmp_path / "serve.log", "--workers", "2") as server:
        assert not stale.exists()  # emptied at start: an earlier run is not summed in
        deadline = time.monotonic() + 60  # /healthz answered: one worker is up; both?
        while sum("Application startup complete" in line for line in server.lines()) < 2:
            assert time.monotonic() < deadline, "\n".join(server.lines())
            time.sleep(0.2)

        def page(_: int) -> int:
            return httpx.get(f"{server.url}/sign-in", timeout=30).status_code

        # Concurrent requests on fresh connections, until both workers have answered some
        # (the kernel hands each connection to one of them).
        with ThreadPoolExecutor(8) as pool:
            for _ in range(20):
                assert set(pool.map(page, range(40))) == {200}
                sent += 40
                by_worker = settled(shared, sent)
                if len([n for n in by_worker.values() if n]) == 2:
                    break
        assert len([n for n in by_worker.values() if n]) == 2, by_worker
        assert sum(by_worker.values()) == sent
        scraped = parse(httpx.get(f"{server.url}/metrics").text)
        live = sorted(p.name for p in shared.glob("gauge_livesum_*.db"))
    assert value(scraped, "portal_http_requests_total", route="auth.sign_in", status="200") == sent
    assert len(live) == 2  # requests in flight: one file per worker
    # Each worker took its live gauge with it when it stopped; its counters stay.
    assert list(shared.glob("gauge_livesum_*.db")) == []
    assert len(list(shared.glob("counter_*.db"))) >= 2


def test_serve_makes_a_directory_for_the_workers_and_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    path, made_here = metrics.prepare_multiprocess_dir()
    try:
        assert made_here and path.is_dir() and list(path.iterdir()) == []
        assert os.environ[metrics.MULTIPROC_ENV] == str(path)  # what the workers inherit
    finally:
        metrics.remove_multiprocess_dir(path)
    assert not path.exists() and metrics.MULTIPROC_ENV not in os.environ


def test_a_killed_workers_requests_in_flight_are_forgotten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed mid-request never says it stopped: the next worker to start drops
    its live gauge (its counters stay: a counter never goes down)."""
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(finished.stdout)
    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(tmp_path))
    for name in (
        f"gauge_livesum_{dead}.db",
        f"counter_{dead}.db",
        f"gauge_livesum_{os.getpid()}.db",
    ):
        (tmp_path / name).write_bytes(b"")
    metrics.forget_dead_workers()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"counter_{dead}.db", f"gauge_livesum_{os.getpid()}.db"]
    )
