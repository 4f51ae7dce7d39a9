"""Long lists shown a page at a time: one paging rule for every list."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

PAGE_SIZE = 20
MAX_PAGE = 1_000_000


def page_number(raw: str | int | None) -> int:
    """The page asked for in the query string: 1 when missing or not a number."""
    try:
        return max(1, min(int(raw or 1), MAX_PAGE))
    except (TypeError, ValueError):
        return 1


@dataclass
class Page:
    items: list[dict[str, Any]]
    number: int  # 1-based, already clamped to the last page
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_item(self) -> int:
        return 0 if not self.total else (self.number - 1) * self.size + 1

    @property
    def last_item(self) -> int:
        return min(self.total, self.number * self.size)

    @staticmethod
    def clamp(number: int, total: int, size: int = PAGE_SIZE) -> int:
        """A page past the end shows the last page."""
        return min(number, max(1, math.ceil(total / size)))
