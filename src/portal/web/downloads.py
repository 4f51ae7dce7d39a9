"""Downloads: always an attachment, never sniffed, never cached; a file streamed from
disk, or a spreadsheet (CSV) built in memory."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar.response import File, Response

NOT_CACHED = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


def content_disposition(file_name: str) -> str:
    """RFC 6266: an ASCII fallback and the exact name as UTF-8 in filename*."""
    ascii_name = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join(c for c in ascii_name if c.isprintable() and c not in '"\\/') or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def file_response(path: Path, file_name: str, content_type: str) -> File:
    return File(
        path=path,
        media_type=content_type or "application/octet-stream",
        chunk_size=64 * 1024,
        headers={"Content-Disposition": content_disposition(file_name), **NOT_CACHED},
    )


def csv_response(body: str, file_name: str) -> Response[Any]:
    return Response(
        content=body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(file_name), **NOT_CACHED},
    )
