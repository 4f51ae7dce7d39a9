"""Long lists shown a page at a time: one paging rule for every list.

A page's links carry where they lead (keyset paging): "Next" the key of the last row
shown (`after`), "Previous" the key of the first (`before`), the last page `last=1`; so a
query reads its page straight off an index, as cheap on page 4 000 as on page 1. A bare
`?page=N` (typed, or an old link) still works, with an OFFSET. Counting stops at
COUNT_LIMIT: beyond it the list says "more than 10,000" and counts no further."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

PAGE_SIZE = 20
MAX_PAGE = 1_000_000
COUNT_LIMIT = 10_000  # counting every row costs as much as the table grows


def page_number(raw: str | int | None) -> int:
    """The page asked for in the query string: 1 when missing or not a number."""
    try:
        return max(1, min(int(raw or 1), MAX_PAGE))
    except (TypeError, ValueError):
        return 1


def _key(raw: str | None) -> list[Any] | None:
    """A row key from the query string (a JSON list of scalars), or None if not one."""
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(part, str | int) and not isinstance(part, bool) for part in value):
        return None
    return value


@dataclass(frozen=True)
class Position:
    """Where in a list a page starts: its number, and the key it starts after (or ends
    before), or the last page."""

    number: int = 1
    after: list[Any] | None = None
    before: list[Any] | None = None
    last: bool = False

    @classmethod
    def of(cls, params: Mapping[str, str]) -> Position:
        return cls(
            number=page_number(params.get("page")),
            after=_key(params.get("after")),
            before=_key(params.get("before")),
            last=params.get("last") == "1",
        )

    @classmethod
    def at(cls, where: Position | int) -> Position:
        return where if isinstance(where, Position) else cls(number=page_number(where))


@dataclass
class Page:
    items: list[dict[str, Any]]
    number: int  # 1-based, already clamped to the last page
    total: int  # all the rows, or COUNT_LIMIT + 1 when there are more (see `more`)
    size: int = PAGE_SIZE
    more: bool = False  # counting stopped: there are more than COUNT_LIMIT rows
    first_key: list[Any] | None = None  # the keys of the first and last rows shown
    last_key: list[Any] | None = None
    has_next: bool = field(default=False)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_item(self) -> int:
        return 0 if not self.total else (self.number - 1) * self.size + 1

    @property
    def last_item(self) -> int:
        return (self.number - 1) * self.size + len(self.items)

    @property
    def shown_total(self) -> str:
        """The count as the list says it: "1,234", or "more than 10,000"."""
        return f"more than {COUNT_LIMIT:,}" if self.more else f"{self.total:,}"

    @staticmethod
    def clamp(number: int, total: int, size: int = PAGE_SIZE) -> int:
        """A page past the end shows the last page."""
        return min(number, max(1, math.ceil(total / size)))


def _encode(key: list[Any] | None) -> str:
    return json.dumps(key, separators=(",", ":"), default=str)


def links(base: str, params: Mapping[str, Any], page: Page) -> dict[str, Any]:
    """govukPagination's parameters for `page` of the list at `base` with its search
    `params`: first, previous, current, next and (when counted) last, each by key."""
    kept = {key: value for key, value in params.items() if value and isinstance(value, str)}
    for name in ("page", "after", "before", "last"):
        kept.pop(name, None)

    def href(number: int, **where: str) -> str:
        query = {**kept, "page": number, **where} if number > 1 else kept
        return f"{base}?{urlencode(query)}" if query else base

    previous = next_ = None
    if page.number > 1:
        previous = href(page.number - 1, before=_encode(page.first_key))
        if page.number == 2 or page.first_key is None:
            previous = href(page.number - 1)
    if page.has_next and page.last_key is not None:
        next_ = href(page.number + 1, after=_encode(page.last_key))
    shown: dict[int, str] = {1: href(1), page.number: href(page.number)}
    if previous:
        shown[page.number - 1] = previous
    if next_:
        shown[page.number + 1] = next_
    if not page.more and page.pages > page.number:
        shown[page.pages] = href(page.pages, last="1")
    items: list[dict[str, Any]] = []
    last_shown = 0
    for number in sorted(shown):
        if last_shown and number - last_shown > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": shown[number], "current": number == page.number})
        last_shown = number
    if page.more and next_:
        items.append({"ellipsis": True})
    return {
        "items": items if len(items) > 1 else [],
        "previous": {"href": previous} if previous else None,
        "next": {"href": next_} if next_ else None,
    }
