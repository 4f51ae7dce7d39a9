"""Downloads: always an attachment, never sniffed, never cached; a stored file streamed
as its chunks come (from disk or object storage), or a spreadsheet (CSV) built in memory."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from litestar.response import Response, Stream

NOT_CACHED = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


def content_disposition(file_name: str) -> str:
    """RFC 6266: an ASCII fallback and the exact name as UTF-8 in filename*."""
    ascii_name = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join(c for c in ascii_name if c.isprintable() and c not in '"\\/') or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def stream_response(
    chunks: AsyncIterator[bytes], size: int, file_name: str, content_type: str
) -> Stream:
    """A stored file of `size` bytes, sent as `chunks` arrive: never whole in memory."""
    return Stream(
        chunks,
        media_type=content_type or "application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(file_name),
            "Content-Length": str(size),
            **NOT_CACHED,
        },
    )


def csv_response(body: str, file_name: str) -> Response[Any]:
    return Response(
        content=body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(file_name), **NOT_CACHED},
    )
