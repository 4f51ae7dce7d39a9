"""Event pages kept once rendered, in each process, keyed by what they show.

An event page (the profile, a documents screen) is the hub people come back to after
every step, and rendering it is most of its cost: GOV.UK Frontend's macros, about 2 ms
of a 3 ms request. Its content is a function of

- the event's `version`, which database triggers raise in the same transaction as any
  change to what its pages show (portal.db.versioning; the access query reads it with
  the event, so the check costs no query);
- who is looking (their id, and their role and name, which the header shows);
- the time, to the minute (deadlines pass, a check closes at the end of its day);
- the request: full page or htmx block. A request with a query string (a success
  banner, a receipt, a row to focus) is never cached.

What differs on every request (the CSRF token, the CSP nonce, the session's remaining
time: `PER_REQUEST`, all from `render.base_context`) is rendered as a per-process random
marker and put back in each answer. Each worker keeps its own pages, at most
`MAX_PAGES` (least recently used go first); the version lives in the database, so
every worker sees a change at once.

Compressing the page again on every view would cost as much as the rest of the answer,
so a kept page is also kept deflated, piece by piece between the markers; an answer is
those pieces with each request's values between them as stored blocks, in a gzip
wrapper: a few microseconds instead of brotli's tenth of a millisecond (the first
answer, made for its request, is compressed as any page is). Each piece is
deflated with what the browser will already have decoded as its dictionary, the values
stood in for by bytes no page contains (so nothing refers to them, and the distances
hold because each value has a fixed width); after a value whose width varies, the
dictionary starts again. The answer is about 10% larger than brotli's."""

from __future__ import annotations

import re
import secrets
import struct
import zlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.enums import MediaType
from litestar.response.base import Response

from portal import clock
from portal.web.access import EventAccess
from portal.web.render import PER_REQUEST, base_context, page_html, wants_fragment

MAX_PAGES = 512  # ~10-40 KB each, and the deflated pieces: at most ~30 MB a worker
GZIP_LEVEL = 9  # made once per page, sent many times: the smallest deflate gives
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name or time
LAST_BLOCK = b"\x01\x00\x00\xff\xff"  # an empty stored block marked final
EMPTY = b"\x00\x00\xff\xff"  # the length words a sync flush's empty stored block ends with

Context = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Kept:
    """A page with its per-request values taken out: `texts[0]`, the value named
    `names[0]`, `texts[1]`, ... `texts[-1]`; and each text deflated."""

    texts: tuple[str, ...]
    names: tuple[str, ...]
    deflated: tuple[bytes, ...]

    def html(self, values: dict[str, str]) -> str:
        out = [self.texts[0]]
        for name, text in zip(self.names, self.texts[1:], strict=True):
            out += (values[name], text)
        return "".join(out)

    def gzip(self, values: dict[str, bytes], body: bytes) -> bytes:
        out = [GZIP_HEADER]
        for name, deflated in zip(self.names, self.deflated, strict=False):
            # A piece ends with the empty stored block of its flush: its length words
            # become the value's, and the block holds the value (5 bytes less a value).
            value = values[name]
            out += (deflated[: -len(EMPTY)], struct.pack("<HH", len(value), len(value) ^ 0xFFFF))
            out.append(value)
        out += (self.deflated[-1], LAST_BLOCK)
        out.append(struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF))
        return b"".join(out)


WINDOW = 32 * 1024  # how far back deflate may refer
UNSEEN = b"\x00"  # never in a page: what stands in for a value in a dictionary


def _deflated(text: bytes, seen: bytes) -> bytes:
    """`text` as deflate blocks, ending byte-aligned and not final; may refer back into
    `seen`, what the decoder has just produced."""
    options = {"zdict": seen[-WINDOW:]} if seen else {}
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS, 9, **options)
    deflated = compressor.compress(text) + compressor.flush(zlib.Z_SYNC_FLUSH)
    if not deflated.endswith(EMPTY):  # zlib's sync flush always ends so (RFC 1951 3.2.4)
        raise RuntimeError("zlib's sync flush did not end with an empty stored block")
    return deflated


def _deflate_pieces(texts: tuple[str, ...], names: tuple[str, ...]) -> tuple[bytes, ...]:
    pieces = []
    seen = b""
    for index, text in enumerate(texts):
        if index:
            width = PER_REQUEST[names[index - 1]]
            seen = b"" if width is None else seen + UNSEEN * width
        encoded = text.encode()
        pieces.append(_deflated(encoded, seen))
        seen = (seen + encoded)[-WINDOW:]
    return tuple(pieces)


class PageCache:
    def __init__(self, size: int = MAX_PAGES) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, Kept] = OrderedDict()
        # Random per process, so text a user typed can never be taken for one.
        token = secrets.token_hex(8)
        self.markers = {name: f"pc{token}{name.replace('_', '')}" for name in PER_REQUEST}
        self._names = {marker: name for name, marker in self.markers.items()}
        self._split = re.compile("(" + "|".join(self.markers.values()) + ")")
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: Hashable) -> Kept | None:
        kept = self._pages.get(key)
        if kept is not None:
            self._pages.move_to_end(key)
        return kept

    def put(self, key: Hashable, html: str) -> Kept:
        parts = self._split.split(html)
        texts = tuple(parts[0::2])
        names = tuple(self._names[marker] for marker in parts[1::2])
        kept = Kept(texts=texts, names=names, deflated=_deflate_pieces(texts, names))
        self._pages[key] = kept
        self._pages.move_to_end(key)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)
        return kept


async def _made(context: Context | dict[str, Any]) -> dict[str, Any]:
    return context if isinstance(context, dict) else await context()


def cacheable(request: Request[Any, Any, Any]) -> bool:
    return request.method == "GET" and not request.scope.get("query_string")


def page_key(
    request: Request[Any, Any, Any], access: EventAccess, template: str, block: str | None
) -> Hashable | None:
    """What an event page shows depends on, or None for a request that is not cached."""
    if not cacheable(request):
        return None
    user = access.user
    minute = clock.now().replace(second=0, microsecond=0)
    return (
        template,
        block if wants_fragment(request) else None,
        access.event.id,
        access.event.version,
        user.id,
        user.role,  # the header's link home
        user.display_name,  # "Signed in as"
        minute,
    )


def accepts_gzip(request: Request[Any, Any, Any]) -> bool:
    for coding in request.headers.get("accept-encoding", "").split(","):
        name, _, params = coding.partition(";")
        if name.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=")
            return not (params.strip().startswith("q=") and float(quality or 0) == 0)
    return False


def fixed_widths_hold(values: dict[str, str], names: Iterable[str] = PER_REQUEST) -> bool:
    """A value (of those the page holds) of another width would shift what the deflated
    text after it refers to: then the answer goes as HTML (compressed the usual way)."""
    return all(
        PER_REQUEST[name] is None or len(values[name]) == PER_REQUEST[name] for name in names
    )


async def cached_page(
    request: Request[Any, Any, Any],
    access: EventAccess,
    template: str,
    context: Context,
    *,
    block: str | None = None,
) -> Response[Any]:
    """The event page (or, for htmx, its `block`) from the cache, or rendered by
    `context()` and kept."""
    key = page_key(request, access, template, block)
    return await kept_page(request, key, template, context, block=block)


async def kept_page(
    request: Request[Any, Any, Any],
    key: Hashable | None,
    template: str,
    context: Context | dict[str, Any],
    *,
    block: str | None = None,
) -> Response[Any]:
    """The page kept under `key` (everything it shows depends on, None: not kept), or
    rendered by `context()` and kept. The same HTML `render` gives; once kept, gzip
    whenever the browser takes it."""
    cache: PageCache = request.app.state.page_cache
    values = base_context(request)
    if key is None:
        html = page_html(request, template, {**values, **await _made(context)}, block=block)
        return Response(content=html, media_type=MediaType.HTML, headers={"Vary": "HX-Request"})
    kept = cache.get(key)
    made_now = kept is None
    if kept is None:
        cache.misses += 1
        marked = {**values, **cache.markers}
        kept = cache.put(
            key, page_html(request, template, {**marked, **await _made(context)}, block=block)
        )
    else:
        cache.hits += 1
    text = {name: str(values[name]) for name in PER_REQUEST}
    body = kept.html(text).encode()
    headers = {"Vary": "HX-Request, Accept-Encoding"}
    # Made for this request, the page costs its rendering anyway: compressed as any page
    # (brotli, the smallest); sent again, it is its kept gzip, a fraction of the work.
    if not made_now and accepts_gzip(request) and fixed_widths_hold(text, set(kept.names)):
        body = kept.gzip({name: value.encode() for name, value in text.items()}, body)
        headers["Content-Encoding"] = "gzip"
    return Response(content=body, media_type=MediaType.HTML, headers=headers)
