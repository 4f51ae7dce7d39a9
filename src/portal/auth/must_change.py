"""First sign-in with an initial password: nothing but choosing a new one (and signing
out) until it is done. Called by the session middleware for every request."""

from __future__ import annotations

from litestar.types import Scope, Send

CHANGE_PAGE = "/account/password"
ALLOWED = (CHANGE_PAGE, "/sign-out", "/signed-out", "/accessibility", "/code-of-conduct")


def allowed(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in ALLOWED)


async def redirect_if_needed(scope: Scope, send: Send) -> bool:
    """Answer with a redirect to the change page (HX-Redirect for htmx) and return True,
    unless the request may go ahead."""
    user = scope.get("user")
    if user is None or not user.must_change_password or allowed(scope["path"]):
        return False
    is_htmx = any(name == b"hx-request" for name, _ in scope.get("headers", []))
    headers = [(b"content-length", b"0"), (b"cache-control", b"no-store")]
    if is_htmx:
        status, headers = 200, [*headers, (b"hx-redirect", CHANGE_PAGE.encode())]
    else:
        status, headers = 303, [*headers, (b"location", CHANGE_PAGE.encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
    return True
