"""Pages with fixed content that everyone may read, signed in or not: the help page,
the accessibility statement, the cookies page and the privacy notice (the code of
conduct is in portal.conduct.routes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Router, get
from litestar.response import Response

from portal.clock import format_duration
from portal.settings import Settings
from portal.web import csrf
from portal.web.render import render

# The session and reset cookies are set by portal.auth, which this layer may not import:
# their names are repeated here, and tests/web/test_pages.py fails when the cookies a
# real sign-in and password reset set are not exactly the ones this page lists.
SESSION_COOKIE = "portal_session"
RESET_COOKIE = "portal_reset"
RESET_MINUTES = 30


@dataclass(frozen=True)
class CookieRow:
    name: str
    purpose: str
    expires: str


def cookies_in_use(settings: Settings) -> list[CookieRow]:
    """Every cookie the portal sets, as its cookies page lists them. Over https the
    session and pre-session cookies carry the `__Host-` prefix (secure_cookies)."""
    prefix = "__Host-" if settings.secure_cookies else ""
    return [
        CookieRow(
            f"{prefix}{SESSION_COOKIE}",
            "Keeps you signed in. It holds a random code, not your name or password.",
            f"When you sign out, after {format_duration(settings.session_idle_seconds)}"
            " without using the service, or at the latest"
            f" {format_duration(settings.session_hours * 3600)} after you sign in",
        ),
        CookieRow(
            csrf.anon_cookie(settings.secure_cookies),
            "Protects the sign-in and password reset forms from being sent by another"
            " website (cross-site request forgery).",
            "When you close your browser",
        ),
        CookieRow(
            RESET_COOKIE,
            "Remembers that you entered the right code while you choose a new password."
            " Only the ‘Forgotten or change password’ pages use it.",
            f"{format_duration(RESET_MINUTES * 60)}, or when your new password is saved",
        ),
    ]


def time_limits(settings: Settings) -> dict[str, str]:
    """The session's time limits in words, for the statements that must state them."""
    return {
        "idle": format_duration(settings.session_idle_seconds),
        "warning": format_duration(settings.session_warning_seconds),
        "lifetime": format_duration(settings.session_hours * 3600),
        "reset": format_duration(RESET_MINUTES * 60),
    }


@get("/accessibility", name="pages.accessibility")
async def accessibility(request: Request[Any, Any, Any]) -> Response[Any]:
    limits = time_limits(request.app.state.settings)
    return render(request, "pages/accessibility.html", {"limits": limits})


@get("/cookies", name="pages.cookies")
async def cookies(request: Request[Any, Any, Any]) -> Response[Any]:
    rows = cookies_in_use(request.app.state.settings)
    return render(request, "pages/cookies.html", {"cookies": rows})


@get("/privacy", name="pages.privacy")
async def privacy(request: Request[Any, Any, Any]) -> Response[Any]:
    limits = time_limits(request.app.state.settings)
    return render(request, "pages/privacy.html", {"limits": limits})


@get("/help", name="pages.help")
async def help_page(request: Request[Any, Any, Any]) -> Response[Any]:
    settings = request.app.state.settings
    return render(request, "pages/help.html", {"lockout_attempts": settings.lockout_attempts})


router = Router(path="/", route_handlers=[accessibility, cookies, privacy, help_page])
