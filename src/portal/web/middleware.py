"""The request pipeline every route shares: the CSRF check on every unsafe method
(route middleware, after auth's session middleware), and security headers on every response,
error pages and static files included (an app-level before_send hook)."""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from typing import Any

from litestar import Request
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from portal.web import csrf

STATIC_PATH = "/static"  # where static files are served (app.py)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
HSTS = "max-age=31536000; includeSubDomains"


class CsrfFailure(PermissionDeniedException):
    """The form's token did not match this visitor (often a page left open past sign-out)."""


def cookies_of(scope: Scope) -> dict[str, str]:
    """The request's cookies, parsed once (the session and CSRF middleware both ask). Kept
    in the scope itself: its "state" can outlive the request (a test client's is shared)."""
    if "portal.cookies" not in scope:
        scope["portal.cookies"] = _parse_cookies(scope)  # type: ignore[typeddict-unknown-key]
    return scope["portal.cookies"]  # type: ignore[typeddict-item]


def _parse_cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header counts as none
                return {}
            return {key: morsel.value for key, morsel in jar.items()}
    return {}


def csp_nonce(scope: Scope) -> str:
    state = scope.setdefault("state", {})
    if "csp_nonce" not in state:
        state["csp_nonce"] = secrets.token_urlsafe(16)
    return state["csp_nonce"]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


async def send_redirect(
    scope: Scope, send: Send, location: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """A redirect from middleware, before any route runs: 303 for a page, HX-Redirect (200)
    for htmx, so the browser loads the page itself rather than swapping it in."""
    is_htmx = _header(scope, b"hx-request") is not None
    pairs = [(b"content-length", b"0"), (b"cache-control", b"no-store"), *(headers or [])]
    name = b"hx-redirect" if is_htmx else b"location"
    pairs.append((name, location.encode("latin-1")))
    status = 200 if is_htmx else 303
    await send({"type": "http.response.start", "status": status, "headers": pairs})
    await send({"type": "http.response.body", "body": b""})


def is_static(scope: Scope) -> bool:
    # Once routed, the mount has taken STATIC_PATH off scope["path"]: ask the handler.
    handler = scope.get("route_handler")
    if handler is not None and handler.name == "static":
        return True
    return scope["path"].startswith(STATIC_PATH + "/")


def csrf_middleware(app: ASGIApp) -> ASGIApp:
    """Checks the CSRF token of every unsafe request. The token is bound to the session
    (state["session_token"], set by the session middleware before this one) or, signed
    out, to a pre-session cookie."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        # Static files and the health probes carry no form and get no pre-session cookie.
        if scope["type"] != "http" or is_static(scope) or (handler and handler.opt.get("probe")):
            await app(scope, receive, send)
            return
        app_state = scope["litestar_app"].state
        state = scope.setdefault("state", {})
        cookie = csrf.anon_cookie(app_state.settings.secure_cookies)
        presession = cookies_of(scope).get(cookie)
        if not presession:
            presession = state["new_presession"] = secrets.token_urlsafe(24)
        seed = state.get("session_token") or presession
        state["csrf_token"] = csrf.token_for(app_state.settings.secret_key, seed)

        # Upload routes stream their body: they check the token themselves, without
        # letting a form parser read the whole file first.
        checks_itself = bool(handler and handler.opt.get("csrf_in_stream"))
        if scope["method"] not in SAFE_METHODS and not checks_itself:
            submitted = _header(scope, csrf.HEADER.encode())
            if submitted is None:
                request: Request[Any, Any, Any] = Request(scope, receive)
                submitted = (await request.form()).get(csrf.FIELD)
            if not csrf.is_valid(app_state.settings.secret_key, seed, submitted):
                raise CsrfFailure()
        await app(scope, receive, send)

    return middleware


def _csp(nonce: str) -> str:
    # Styles, fonts and fetches fall back to default-src 'self': not repeated (every
    # response carries this header).
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )


# Every response's headers, as ASGI bytes pairs made once: appended to the raw list
# where the response has not set its own (Litestar's header objects cost ~0.1 ms here).
_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_HSTS = (b"strict-transport-security", HSTS.encode())


async def security_headers(message: Message, scope: Scope) -> None:
    """before_send hook: runs for every response, including 404s and error pages."""
    if message["type"] != "http.response.start":
        return
    headers: list[tuple[bytes, bytes]] = list(message.get("headers") or [])
    present = {name.lower() for name, _ in headers}
    if b"content-security-policy" not in present:
        headers.append((b"content-security-policy", _csp(csp_nonce(scope)).encode()))
    headers.extend(pair for pair in _ALWAYS if pair[0] not in present)
    if b"cache-control" not in present:
        # Static files set their own (a year for hashed names); anything else under the
        # prefix, an unknown name's 404 included, is asked for again.
        headers.append(
            (b"cache-control", b"no-cache" if is_static(scope) else b"private, no-store")
        )
    secure = scope["litestar_app"].state.settings.secure_cookies
    if secure and _HSTS[0] not in present:
        # Served over https: browsers refuse plain http to this host for a year.
        headers.append(_HSTS)
    new_presession = scope.get("state", {}).get("new_presession")
    if new_presession:
        name = csrf.anon_cookie(secure)
        flags = "; Secure" if secure else ""
        cookie = f"{name}={new_presession}; Path=/; HttpOnly; SameSite=Lax{flags}"
        headers.append((b"set-cookie", cookie.encode("latin-1")))
    message["headers"] = headers
