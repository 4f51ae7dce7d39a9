"""A reset request for an unknown username looks and takes the same as one for a real
account, measured as distributions (medians of interleaved requests), with a tolerance
relative to the request's own time: steady on a busy two-core machine, and still red when
unknown usernames skip the password hash.

Each sample asks for a different username: the reset-request limit counts per username,
and a limited request does other work (nothing is sent) than the one measured here."""

from __future__ import annotations

import re
import statistics
import time
from itertools import count

import httpx
import pytest

from portal.auth import reset
from portal.settings import Settings
from tests.auth.mailbox import outbox
from tests.client import PortalClient
from tests.factories import Factory

# Relative tolerance between the two medians. Measured on the 2-core test machine, idle and
# with the other helpers' test runs: see the report of issue 16 (the ratios were 0.8-1.0
# with the hash on both sides, under 0.25 with the unknown side skipping it).
PADDED_TOLERANCE = 0.2  # of the padded request time (~0.8 s): 160 ms
WORK_RATIO = 0.6  # the unknown name's work is at least this share of the real one's

_names = count()


async def _timed(client: PortalClient, username: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = await client.post("/forgotten-password", {"username": username})
    return time.perf_counter() - started, response


async def _medians(client: PortalClient, make: Factory, pairs: int) -> tuple[float, float]:
    """Median request time for real and for unknown usernames, asked alternately (so load
    on the machine falls on both alike), each sample a fresh username."""
    known: list[float] = []
    unknown: list[float] = []
    for _ in range(pairs):
        n = next(_names)
        await make.user(username=f"known{n}")
        took, response = await _timed(client, f"known{n}")
        assert response.status_code == 303
        known.append(took)
        took, response = await _timed(client, f"nobody{n}")
        assert response.status_code == 303
        unknown.append(took)
    return statistics.median(known), statistics.median(unknown)


async def test_unknown_username_gets_the_same_page_in_similar_time(
    client: PortalClient, settings: Settings, make: Factory
) -> None:
    await make.user(username="known")
    await _timed(client, "warm-up")  # first request: templates, connections
    known_time, unknown_time = await _medians(client, make, pairs=4)
    assert known_time >= reset.MIN_REQUEST_SECONDS and unknown_time >= reset.MIN_REQUEST_SECONDS
    assert abs(known_time - unknown_time) <= PADDED_TOLERANCE * max(known_time, unknown_time), (
        known_time,
        unknown_time,
    )
    assert len(await outbox(settings)) == 4  # only the real accounts got mail

    known = await client.post("/forgotten-password", {"username": "known"})
    unknown = await client.post("/forgotten-password", {"username": "nobody"})
    page_known = await client.get(known.headers["location"])
    page_unknown = await client.get(unknown.headers["location"])

    def strip(text: str, name: str) -> str:
        text = re.sub(r'nonce="[^"]+"', "", text.replace(name, "NAME"))
        return re.sub(r'value="[0-9a-f]{64}"', "", re.sub(r'"X-CSRF-Token": "[^"]+"', "", text))

    assert strip(page_known.text, "known") == strip(page_unknown.text, "nobody")


async def test_unknown_username_does_the_same_work_under_the_floor(
    client: PortalClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The floor (MIN_REQUEST_SECONDS) hides small differences; it must not be all that
    hides them. Without it, an unknown username still pays for hashing a code."""
    monkeypatch.setattr(reset, "MIN_REQUEST_SECONDS", 0.0)
    await _timed(client, "warm-up")
    known_time, unknown_time = await _medians(client, make, pairs=5)
    assert unknown_time >= WORK_RATIO * known_time, (known_time, unknown_time)
