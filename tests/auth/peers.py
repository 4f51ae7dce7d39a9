"""Requests from several client addresses through one test client: the test client always
reports the peer "testclient"; an `X-Test-Peer` header stands in for another machine's
address (set in the scope before the app's own middleware, as a TCP peer would be)."""

from __future__ import annotations

from litestar import Litestar
from litestar.types import Receive, Scope, Send

HEADER = "X-Test-Peer"


def from_peers(app: Litestar) -> Litestar:
    handler = app.asgi_handler

    async def with_peer(scope: Scope, receive: Receive, send: Send) -> None:
        for name, value in scope.get("headers", []):
            if name == HEADER.lower().encode():
                scope["client"] = (value.decode(), 50000)
        await handler(scope, receive, send)

    app.asgi_handler = with_peer  # type: ignore[method-assign]
    return app
