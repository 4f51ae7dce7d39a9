"""The answer to a request whose session has just ended (idle or at its absolute end):
the sign-in page, saying why, with the page the user asked for as `next` (GET only: a
form sent after the end is not replayed). htmx requests get `HX-Redirect`, so the
browser loads the whole sign-in page rather than swapping it into a fragment. Pages
anyone may read (help, accessibility, 'Forgotten or change password') are simply shown
signed out: only a page that needs a signed-in user, or the sign-in page, says why.

The middleware answers before routing's handlers and the CSRF check run, so a form
posted to an ended session changes nothing."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from litestar.types import Scope, Send

from portal.auth.sessions import Ended, cookie_name
from portal.web.guards import signed_in
from portal.web.middleware import send_redirect

# ?signed-out=... on the sign-in page: which message it shows.
QUERY = "signed-out"
IDLE_MESSAGE = "You have been signed out because you have not used the service for {idle}"
ABSOLUTE_MESSAGE = (
    "You have been signed out because you signed in more than {hours} ago. "
    "Sign in again to carry on"
)


def duration(seconds: int) -> str:
    """30 minutes, 1 hour, 45 seconds: how long, in words."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def message(why: str | None, idle: timedelta, lifetime: timedelta) -> str | None:
    if why == "idle":
        return IDLE_MESSAGE.format(idle=duration(int(idle.total_seconds())))
    if why == "absolute":
        return ABSOLUTE_MESSAGE.format(hours=duration(int(lifetime.total_seconds())))
    return None


def _clear_cookie(secure: bool) -> bytes:
    # Cleared with the flags it was set with: a __Host- cookie must stay Secure.
    flags = "; Secure" if secure else ""
    return f"{cookie_name(secure)}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{flags}".encode()


def needs_sign_in(scope: Scope) -> bool:
    """Whether the route asked for is for signed-in users (or is the sign-in page)."""
    handler = scope.get("route_handler")
    if handler is None:
        return True
    if handler.name == "auth.sign_in":
        return True
    guards = [  # a guard made of several (routing.all_of) counts as each of its parts
        part for guard in handler.resolve_guards() for part in getattr(guard, "parts", (guard,))
    ]
    return any(
        guard is signed_in or getattr(guard, "__name__", "").startswith("role_") for guard in guards
    )


def sign_in_again_url(scope: Scope, why: Ended) -> str:
    query = {QUERY: why}
    if scope["method"] == "GET":
        target = scope["path"]
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        query["next"] = target
    return scope["litestar_app"].route_reverse("auth.sign_in") + "?" + urlencode(query)


async def send_to_sign_in(scope: Scope, send: Send, why: Ended) -> None:
    secure = scope["litestar_app"].state.settings.secure_cookies
    cleared = [(b"set-cookie", _clear_cookie(secure))]
    await send_redirect(scope, send, sign_in_again_url(scope, why), cleared)
