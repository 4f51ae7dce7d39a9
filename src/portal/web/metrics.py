"""/metrics for a monitoring platform (Prometheus' text format), and the layer that times
every request for it.

Not public: only clients in PORTAL_METRICS_ALLOW (addresses or CIDRs; default loopback)
may read it, anyone else gets 403 whatever their session. The client is the one the
trusted-proxies layer settled on, so a request relayed by the TLS proxy counts as the
client's, not the proxy's: scrape the workers directly, not through the public address.
Like the health probes it sets no cookie and is not in the request log.

Requests are labelled by the *name* of the route that answered (`documents.upload`, never
`/events/123/documents`), so the number of series stays bounded whatever the URLs;
a path that matches no route is "none".

A request is tallied in plain Python (a dict lookup and a few additions) and the tallies
are pushed into prometheus-client's values at most FLUSH_SECONDS later, before every
scrape and when a worker stops. Pushing each request at once cost five value writes a
request: in multi-process mode each is a write to a memory-mapped file under a lock
(bench/metrics_overhead.py: 28 us a request that way, against 2 us batched). So another
worker's figures in a scrape may be up to FLUSH_SECONDS old; this worker's are exact.
"""

from __future__ import annotations

import asyncio
import bisect
import ipaddress
import logging
import time
from functools import lru_cache
from typing import Any

from litestar import Request, Router, get
from litestar.exceptions import PermissionDeniedException
from litestar.response import Response
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from portal import metrics
from portal.web.proxies import Network, parse_networks

log = logging.getLogger("portal.metrics")

PATH = "/metrics"
PATHS = (PATH,)  # kept out of the request log, like the health probes
NO_ROUTE = "none"
PROBE = {"probe": True}  # route opt: no CSRF check, no pre-session cookie
FLUSH_SECONDS = 1.0


@lru_cache(maxsize=8)
def allowed_networks(value: str) -> tuple[Network, ...]:
    return parse_networks(value, setting="PORTAL_METRICS_ALLOW")


def may_scrape(address: str | None, networks: tuple[Network, ...]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # not an address at all (a test client's "testclient")
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 on a dual-stack socket is loopback
    return any(ip in network for network in networks)


async def _readings(request: Request[Any, Any, Any]) -> list[metrics.Reading]:
    """The gauges computed now (oldest unsent mail, accuracy checks due...): each source
    is one query of the part that owns the data (app.py lists them). A source that fails
    is left out and logged; the counters are still served."""
    readings: list[metrics.Reading] = []
    for source in request.app.state.get("metric_sources", ()):
        try:
            readings.extend(await source())
        except Exception as error:
            log.warning(
                "metrics: %s failed: %s: %s", source.__qualname__, type(error).__name__, error
            )
    return readings


@get(PATH, name="metrics.scrape", opt=PROBE, include_in_schema=False)
async def scrape(request: Request[Any, Any, Any]) -> Response[bytes]:
    settings = request.app.state.settings
    client = request.client.host if request.client else None
    if not may_scrape(client, allowed_networks(settings.metrics_allow)):
        raise PermissionDeniedException()
    readings = await _readings(request)
    metrics.flush()  # on the event loop, where the tallies change
    # Off the event loop: in multi-process mode this reads every worker's files.
    body = await asyncio.to_thread(metrics.exposition, readings)
    return Response(
        body,
        media_type=metrics.CONTENT_TYPE,
        headers={"Cache-Control": "no-store"},
    )


router = Router(path="/", route_handlers=[scrape])


class _Tally:
    """One (route, status)'s requests since the last push."""

    __slots__ = ("buckets", "count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.buckets = [0] * (len(metrics.LATENCY_BUCKETS) + 1)  # the last one: +Inf


class RequestTallies:
    """This process's requests since the last push, and the requests in flight."""

    def __init__(self) -> None:
        self.tallies: dict[tuple[str, int], _Tally] = {}
        self.in_flight = 0
        self._scheduled_on: asyncio.AbstractEventLoop | None = None

    def started(self) -> None:
        self.in_flight += 1
        self._schedule()

    def finished(self, route: str, status: int, seconds: float) -> None:
        self.in_flight -= 1
        tally = self.tallies.get((route, status))
        if tally is None:
            tally = self.tallies[(route, status)] = _Tally()
        tally.count += 1
        tally.seconds += seconds
        tally.buckets[bisect.bisect_left(metrics.LATENCY_BUCKETS, seconds)] += 1
        self._schedule()

    def _schedule(self) -> None:
        # One push per FLUSH_SECONDS at most, on the loop that is serving (tests run
        # several loops one after another: a push due on a closed loop never comes).
        loop = asyncio.get_running_loop()
        if self._scheduled_on is not loop:
            self._scheduled_on = loop
            loop.call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        self._scheduled_on = None
        metrics.IN_FLIGHT.set(self.in_flight)
        for (route, status), tally in self.tallies.items():
            if tally.count:
                metrics.observed(route, str(status), tally.count, tally.seconds, tally.buckets)
                tally.count, tally.seconds = 0, 0.0
                tally.buckets = [0] * len(tally.buckets)


TALLIES = RequestTallies()
metrics.on_flush(TALLIES.flush)


def observe(app: ASGIApp) -> ASGIApp:
    """Counts and times every HTTP request by route name and status, and the requests in
    flight (tallied here, pushed by `RequestTallies.flush`)."""
    tallies = TALLIES

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        status = 500  # if the app fails before answering, the server answers 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        started = time.perf_counter()
        tallies.started()
        try:
            await app(scope, receive, send_status)
        finally:
            handler = scope.get("route_handler")
            route = str(handler.name) if handler is not None else NO_ROUTE
            tallies.finished(route, status, time.perf_counter() - started)

    return middleware
