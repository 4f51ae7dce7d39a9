"""Progress on a terminal: one line rewritten in place, and nothing at all when the
output is a file or a pipe (a cron job's log should hold the result, not 10 000 updates)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

EVERY = 0.25  # seconds between redraws


def size_text(size: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


class Progress:
    def __init__(self, verb: str, total: int, stream: TextIO | None = None) -> None:
        self.verb = verb
        self.total = total
        self.stream = stream or sys.stdout
        self.on = self.stream.isatty()
        self.done = 0
        self._drawn = 0.0

    def __call__(self, count: int) -> None:
        self.done += count
        if self.on and time.monotonic() - self._drawn >= EVERY:
            self._draw()

    def _draw(self) -> None:
        self._drawn = time.monotonic()
        share = f" ({100 * self.done // self.total}%)" if self.total else ""
        line = f"{self.verb}: {size_text(self.done)} of {size_text(self.total)}{share}"
        self.stream.write(f"\r{line:<60}")
        self.stream.flush()

    def finish(self) -> None:
        if self.on:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
