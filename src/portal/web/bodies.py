"""Request bodies that stop arriving: a client that sends its headers and part of its body,
then nothing (a stalled upload, a dead mobile connection, a slow-loris), is given up on after
`idle_seconds` without a byte (PORTAL_UPLOAD_IDLE_SECONDS), so it holds neither a worker's
request slot nor the temporary file of its upload, nor a graceful shutdown; and a client that
closes the connection mid-body is named for what it is (`ClientGone`), not a server error.
One that goes away mid-response (a download cut short) is said in the request's log line.

Only the body is timed: once it is complete, waiting on `receive` is how a streaming
response learns that the client went away, and may rightly wait as long as the download.
"""

from __future__ import annotations

import asyncio

from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from portal.web.logs import note_problem


class BodyStalled(HTTPException):
    """No byte of the request's body for `idle_seconds`: 408, nothing kept."""

    status_code = 408


class ClientGone(Exception):
    """The client closed the connection before it had sent the whole request."""


def _has_body(scope: Scope) -> bool:
    """A body follows the headers (HTTP/1.1: a length above 0, or chunked)."""
    for name, value in scope["headers"]:
        if name == b"transfer-encoding":
            return True
        if name == b"content-length":
            return value.strip() not in (b"", b"0")
    return False


def body_guard(app: ASGIApp, idle_seconds: float) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        # Most requests have no body: nothing to time (a timer costs ~14 us a request).
        complete = not _has_body(scope)
        gone = False  # the client hung up (seen after its body: while we answered)
        answered = False  # the response's last byte was handed to the server

        async def guarded() -> Message:
            nonlocal complete, gone
            if complete:
                message = await receive()
                gone = gone or message["type"] == "http.disconnect"
                return message
            try:
                async with asyncio.timeout(idle_seconds):
                    message = await receive()
            except TimeoutError:
                raise BodyStalled() from None
            if message["type"] == "http.disconnect":
                raise ClientGone()
            if not message.get("more_body", False):
                complete = True
            return message

        async def watched_send(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                answered = True
            await send(message)

        await app(scope, guarded, watched_send)
        if gone and not answered:
            note_problem(scope, "client closed the connection mid-response")

    return middleware
