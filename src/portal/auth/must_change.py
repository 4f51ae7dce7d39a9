"""First sign-in with an initial password: nothing but choosing a new one (and signing
out, and the fixed pages anyone may read) until it is done. Called by the session
middleware for every request, once routing has picked the route handler.

Which routes stay open is said on the routes, never as paths: auth's own handlers carry
`opt={BEFORE_PASSWORD_CHANGE: True}`; other features' fixed pages are named here."""

from __future__ import annotations

from litestar.types import Scope, Send

from portal.web.middleware import send_redirect

BEFORE_PASSWORD_CHANGE = "before_password_change"
# Other features' pages with fixed content, which a user may want to read first.
OPEN_PAGES = frozenset({"pages.accessibility", "conduct.code_of_conduct"})
CHANGE_PAGE = "auth.change_password"


def allowed(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    if handler is None:
        return False
    return bool(handler.opt.get(BEFORE_PASSWORD_CHANGE)) or handler.name in OPEN_PAGES


async def redirect_if_needed(scope: Scope, send: Send) -> bool:
    """Answer with a redirect to the change page (HX-Redirect for htmx) and return True,
    unless the request may go ahead."""
    user = scope.get("user")
    if user is None or not user.must_change_password or allowed(scope):
        return False
    await send_redirect(scope, send, scope["litestar_app"].route_reverse(CHANGE_PAGE))
    return True
