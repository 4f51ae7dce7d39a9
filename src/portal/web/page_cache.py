"""Event pages kept once rendered, in each process, keyed by what they show.

An event page (the profile, a documents screen) is the hub people come back to after
every step, and rendering it is most of its cost: GOV.UK Frontend's macros, about 2 ms
of a 3 ms request. Its content is a function of

- the event's `version`, which database triggers raise in the same transaction as any
  change to what its pages show (portal.db.versioning; the access query reads it with
  the event, so the check costs no query);
- who is looking (their id and what of them the header shows);
- the time, to the minute (deadlines pass, a check closes at the end of its day);
- the request: full page or htmx block. A request with a query string (a success
  banner, a receipt, a row to focus) is never cached.

What differs on every request (the CSRF token, the CSP nonce, the session's remaining
time: `PER_REQUEST`, all from `render.base_context`) is rendered as a per-process random
marker and put back in each answer. Each worker keeps its own pages, at most
`MAX_PAGES` (least recently used go first); the version lives in the database, so
every worker sees a change at once."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from litestar import Request
from litestar.enums import MediaType
from litestar.response.base import Response

from portal import clock
from portal.web.access import EventAccess
from portal.web.render import PER_REQUEST, base_context, page_html, wants_fragment

MAX_PAGES = 512  # ~10-40 KB each: at most ~20 MB a worker
HEADERS = {"Vary": "HX-Request"}

Context = Callable[[], Awaitable[dict[str, Any]]]


class PageCache:
    def __init__(self, size: int = MAX_PAGES) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, str] = OrderedDict()
        # Random per process, so text a user typed can never be taken for one.
        token = secrets.token_hex(8)
        self.markers = {name: f"pc{token}{name.replace('_', '')}" for name in PER_REQUEST}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> str | None:
        html = self._pages.get(key)
        if html is not None:
            self._pages.move_to_end(key)
        return html

    def put(self, key: Hashable, html: str) -> None:
        self._pages[key] = html
        self._pages.move_to_end(key)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)

    def fill_in(self, html: str, values: dict[str, Any]) -> str:
        for name, marker in self.markers.items():
            html = html.replace(marker, str(values.get(name, "")))
        return html


def page_key(
    request: Request[Any, Any, Any], access: EventAccess, template: str, block: str | None
) -> Hashable | None:
    """What the page shows depends on, or None for a request that is not cached."""
    if request.method != "GET" or request.scope.get("query_string"):
        return None
    user = access.user
    minute = clock.now().replace(second=0, microsecond=0)
    return (
        template,
        block if wants_fragment(request) else None,
        access.event.id,
        access.event.version,
        user.id,
        user.role,
        user.display_name,
        user.username,
        minute,
    )


async def cached_page(
    request: Request[Any, Any, Any],
    access: EventAccess,
    template: str,
    context: Context,
    *,
    block: str | None = None,
) -> Response[Any]:
    """The page (or, for htmx, its `block`) from the cache, or rendered by `context()`
    and kept. The answer is the one `render` gives, byte for byte."""
    cache: PageCache = request.app.state.page_cache
    values = base_context(request)
    key = page_key(request, access, template, block)
    html = None if key is None else cache.get(key)
    if html is None:
        cache.misses += 1
        marked = {**values, **({} if key is None else cache.markers)}
        html = page_html(request, template, {**marked, **await context()}, block=block)
        if key is not None:
            cache.put(key, html)
    else:
        cache.hits += 1
    if key is not None:
        html = cache.fill_in(html, values)
    return Response(content=html, media_type=MediaType.HTML, headers=HEADERS)
