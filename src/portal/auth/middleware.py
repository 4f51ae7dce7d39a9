"""Who is signing in: the user from the session cookie (before the CSRF check, which
binds its token to the session), and the forced password change on first sign-in."""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from portal.auth import must_change, timeout
from portal.auth.sessions import cookie_name
from portal.web.middleware import cookies_of, is_static


def session_middleware(app: ASGIApp) -> ASGIApp:
    """Sets scope["user"] (None when signed out), state["session_token"] and
    state["session"] (portal.auth.sessions.Resumed). A session that has just ended (idle,
    or at its absolute end) is answered here with the sign-in page saying why, when the
    page needs a signed-in user (timeout.py); a public page is shown signed out."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_static(scope):
            scope.setdefault("user", None)
            await app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        secure = scope["litestar_app"].state.settings.secure_cookies
        token = cookies_of(scope).get(cookie_name(secure))
        user = None
        if token:
            resumed = await scope["litestar_app"].state.sessions.resume(token)
            if resumed.ended is not None and timeout.needs_sign_in(scope):
                await timeout.send_to_sign_in(scope, send, resumed.ended)
                return
            user = resumed.user
            state["session"] = resumed
        scope["user"] = user
        state["session_token"] = token if user is not None else None
        await app(scope, receive, send)

    return middleware


def must_change_middleware(app: ASGIApp) -> ASGIApp:
    """First sign-in with an initial password: choose a new one before anything else."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and await must_change.redirect_if_needed(scope, send):
            return
        await app(scope, receive, send)

    return middleware
