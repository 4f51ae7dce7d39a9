"""Helpers for the documents tests: uploads as a browser sends them, and clients of an
app with other limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from portal.app import create_app
from portal.settings import Settings
from tests.clamd import clamd  # noqa: F401  (the real clamd, for the scanning tests)
from tests.client import PortalClient
from tests.html_check import record_page
from tests.s3 import s3_bucket, s3_server  # noqa: F401  (fixtures for the S3 backend's tests)

FileSpec = tuple[str, bytes] | tuple[str, bytes, str]


async def upload(
    client: PortalClient,
    url: str,
    files: list[FileSpec],
    *,
    htmx: bool = False,
    data: dict[str, str] | None = None,
    csrf_token: str | bool | None = True,
) -> httpx.Response:
    """POST files the way the upload form does: the csrf_token field (no JavaScript) or
    header (htmx) and the other fields first, then one `file` part per file."""
    parts = [
        ("file", (spec[0], spec[1], spec[2] if len(spec) > 2 else "application/octet-stream"))
        for spec in files
    ]
    return await client.post(url, data or {}, files=parts, htmx=htmx, csrf_token=csrf_token)


LimitedClient = Callable[..., AbstractAsyncContextManager[PortalClient]]


@pytest.fixture
def limited_client(settings: Settings) -> LimitedClient:
    """`async with limited_client(upload_max_bytes=1000) as client:` a client of an app
    with other limits (the same database and files)."""

    @asynccontextmanager
    async def open_client(**changes: Any) -> AsyncIterator[PortalClient]:
        app = create_app(settings.with_(**changes))
        async with PortalClient.for_app(app, on_page=record_page) as client:
            yield client

    return open_client
