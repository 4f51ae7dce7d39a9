"""The upload request, read as it arrives: a streaming multipart parser over
`request.stream()`, each file part piped straight into the store's `save` (never held
whole in memory), and the CSRF token checked before any file byte is stored: from
the `x-csrf-token` header (htmx), or from the `csrf_token` field, which the form puts
before the file field (no JavaScript).

A file that breaks a rule is refused while it streams (the limit is passed to
the store's `save`); the rest of its bytes are read and thrown away so that the browser
gets the answer (a page with the error) rather than a broken connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.exceptions import ClientException, HTTPException
from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header

from portal.web import csrf
from portal.web.middleware import CsrfFailure

MAX_FIELD_BYTES = 64 * 1024
MAX_PARTS = 1000
OVERHEAD_BYTES = 1024 * 1024  # the form's fields and part headers, generously


class RequestTooLarge(HTTPException):
    status_code = 413


class BadUpload(ClientException):
    """Not a multipart form we can read (or the connection broke off)."""


Event = MultipartSegment | bytes | None


@dataclass
class UploadForm:
    """What the request held besides the files (the files went to `on_file`)."""

    fields: dict[str, str] = field(default_factory=dict)
    file_parts: int = 0


FileHandler = Callable[[str, AsyncIterator[bytes], dict[str, str]], Awaitable[None]]


def _boundary(request: Request[Any, Any, Any]) -> str:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != "multipart/form-data" or not options.get("boundary"):
        raise BadUpload("expected multipart/form-data")
    return options["boundary"]


async def _events(request: Request[Any, Any, Any], max_body: int) -> AsyncIterator[Event]:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_body:
        raise RequestTooLarge()
    parser = PushMultipartParser(
        _boundary(request),
        content_length=int(length) if length and length.isdigit() else -1,
        max_segment_count=MAX_PARTS,
    )
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_body:
                raise RequestTooLarge()
            if parser.closed:
                continue  # an epilogue after the last boundary: ignored
            for event in parser.parse(chunk):
                yield event
        parser.close()
    except MultipartError as exc:
        raise BadUpload(str(exc)) from exc


async def _part_body(events: AsyncIterator[Event]) -> AsyncIterator[bytes]:
    """The body of the current part, chunk by chunk, up to its end."""
    async for event in events:
        if event is None:
            return
        if isinstance(event, bytes):
            yield event


async def read_upload(
    request: Request[Any, Any, Any], *, max_body: int, on_file: FileHandler
) -> UploadForm:
    """Parse the streamed form. Fields before a file are known when it arrives; each
    file goes to `on_file(given_name, chunks, fields_so_far)` (whatever it leaves unread is drained)."""
    settings = request.app.state.settings
    seed = request.scope["state"].get("session_token") or None
    token_ok = csrf.is_valid(settings.secret_key, seed, request.headers.get(csrf.HEADER))
    form = UploadForm()
    events = _events(request, max_body)
    async for event in events:
        if not isinstance(event, MultipartSegment):
            continue  # stray bytes/None of a part already handled
        body = _part_body(events)
        if event.filename is None:
            value = bytearray()
            async for chunk in body:
                value += chunk
                if len(value) > MAX_FIELD_BYTES:
                    raise BadUpload("form field too long")
            text = value.decode("utf-8", "replace")
            if event.name == csrf.FIELD and not token_ok:
                token_ok = csrf.is_valid(settings.secret_key, seed, text)
            form.fields.setdefault(event.name or "", text)
            continue
        if not token_ok:
            # No file byte is stored for a request that is not this visitor's own.
            raise CsrfFailure()
        form.file_parts += 1
        await on_file(event.filename, body, form.fields)
        async for _ in body:  # drain what the handler did not take (a refused file)
            pass
    if not token_ok:
        raise CsrfFailure()
    return form
