"""The app's clock (portal.clock.now), moved by the test instead of waited for: every
rule that counts time (rate-limit windows, lockouts, reset codes, sessions) reads it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from portal import clock


class MovingClock:
    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def moving_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[MovingClock]:
    # Start just after a whole hour, so a 15-minute or 1-minute window's edge is known.
    start = datetime.now(UTC).replace(minute=0, second=1, microsecond=0) + timedelta(hours=1)
    moving = MovingClock(start)
    monkeypatch.setattr(clock, "now", moving.now)
    yield moving
