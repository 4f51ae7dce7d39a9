"""Sign in, sign out, 'Forgotten or change password', and changing one's password.

One router: sign-in and sign-out at the top, `/forgotten-password` for everyone,
`/account` for signed-in users. The handlers a user who must still choose a password
may reach carry `opt={"before_password_change": True}` (see must_change.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.params import Parameter
from litestar.response import Redirect, Response

from portal.auth import forms, password_rules, rate_limit, reset, service, timeout
from portal.auth.must_change import BEFORE_PASSWORD_CHANGE
from portal.auth.sessions import cookie_name
from portal.db.tables import User
from portal.validation import Refused
from portal.web import routing
from portal.web.guards import signed_in
from portal.web.page_cache import cacheable, kept_page
from portal.web.render import redirect, render
from portal.web.routing import Form

RESET_COOKIE = "portal_reset"
ALLOWED_BEFORE_PASSWORD_CHANGE = {BEFORE_PASSWORD_CHANGE: True}


def _safe_next(target: str | None) -> str | None:
    # Only same-site paths: never an open redirect to another host.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def session_cookie(request: Request[Any, Any, Any], value: str, *, max_age: int | None) -> Cookie:
    return Cookie(
        key=cookie_name(request.app.state.settings.secure_cookies),
        value=value,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        max_age=max_age,
    )


def limiter(request: Request[Any, Any, Any]) -> rate_limit.RateLimiter:
    """The app's rate limiter: the database's, or Redis when PORTAL_REDIS_URL is set."""
    return request.app.state.rate_limiter


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def home(request: Request[Any, Any, Any], user: User) -> str:
    return request.app.route_reverse(service.home_for(user))


# Sign in and out ---------------------------------------------------------------------


@get("/sign-in", name="auth.sign_in")
async def sign_in_page(
    request: Request[Any, Any, Any],
    next: str | None = None,
    signed_out: str | None = Parameter(query=timeout.QUERY, default=None),
) -> Response[Any]:
    if request.scope.get("user") is not None:
        return Redirect(_safe_next(next) or home(request, request.scope["user"]))
    sessions = request.app.state.sessions
    context = {
        "values": {},
        "errors": {},
        "next": _safe_next(next),
        # Why the last session ended (see timeout.py); only the two known reasons show.
        "signed_out_message": timeout.message(signed_out, sessions.idle, sessions.lifetime),
    }
    # The page everyone meets first, the same for all but its form token (kept, rendered
    # once); with `next` or a reason for signing out in the address, made for the request.
    key = ("auth/sign_in.html",) if cacheable(request) else None
    return await kept_page(request, key, "auth/sign_in.html", context)


@post("/sign-in", name="auth.sign_in_submit")
async def sign_in(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    settings = request.app.state.settings
    parsed = forms.sign_in(data)
    next_url = _safe_next(data.get("next"))
    errors = parsed.errors
    if parsed.ok:
        try:
            user = await service.sign_in(
                parsed.values["username"],
                parsed.values["password"],
                address=client_address(request),
                limiter=limiter(request),
                settings=settings,
            )
        except Refused as refused:
            errors = refused.as_errors("username")
    if errors:
        return render(
            request,
            "auth/sign_in.html",
            {"values": {"username": parsed.values["username"]}, "errors": errors, "next": next_url},
            block="sign_in_form",
        )
    sessions = request.app.state.sessions
    # A new session id at every sign-in: an id planted before sign-in is worthless.
    old = request.scope["state"].get("session_token")
    if old:
        await sessions.delete(old)
    token = await sessions.create(user.id)
    target = home(request, user)
    if not user.must_change_password:
        target = next_url or target
    response = redirect(request, target)
    response.set_cookie(session_cookie(request, token, max_age=settings.session_hours * 3600))
    return response


@post("/keep-alive", name="auth.keep_alive")
async def keep_alive(request: Request[Any, Any, Any]) -> Response[Any]:
    """'Stay signed in' in the timeout warning: the session's idle end starts again from
    now (never past its absolute end). 204: the page stays as it is; the script reads
    the new end from `X-Session-Ends-In` (seconds)."""
    token = request.scope["state"].get("session_token") or ""
    resumed = await request.app.state.sessions.resume(token, touch=True)
    return Response(
        content=b"",
        status_code=204,
        headers={"X-Session-Ends-In": str(resumed.seconds_left()), "Cache-Control": "no-store"},
    )


@post("/sign-out", name="auth.sign_out", opt=ALLOWED_BEFORE_PASSWORD_CHANGE)
async def sign_out(request: Request[Any, Any, Any]) -> Response[Any]:
    await service.sign_out(
        request.scope.get("user"),
        request.scope["state"].get("session_token"),
        sessions=request.app.state.sessions,
    )
    response = redirect(request, request.app.route_reverse("auth.signed_out"))
    # Cleared with the same flags it was set with: a __Host- cookie must stay Secure.
    response.set_cookie(session_cookie(request, "", max_age=0))
    return response


@get("/signed-out", name="auth.signed_out", opt=ALLOWED_BEFORE_PASSWORD_CHANGE)
async def signed_out(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "auth/signed_out.html")


# 'Forgotten or change password' ------------------------------------------------------


def _reset_path(request: Request[Any, Any, Any]) -> str:
    """Where the reset cookie is sent: the 'Forgotten or change password' pages only."""
    return request.app.route_reverse("auth.forgotten_password")


def _rules_context(password: str, username: str) -> dict[str, Any]:
    return {"rules": password_rules.check(password, username), "typed": bool(password)}


@get("/", name="auth.forgotten_password")
async def forgotten_password(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "auth/forgotten_password.html", {"values": {}, "errors": {}})


@post("/", name="auth.forgotten_password_submit")
async def forgotten_password_submit(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    parsed = forms.username(data)
    if not parsed.ok:
        return render(
            request,
            "auth/forgotten_password.html",
            {"values": parsed.values, "errors": parsed.errors},
            block="reset_form",
        )
    username = parsed.values["username"]
    code_page = request.app.route_reverse("auth.reset_code")
    allowed = await reset.request_allowed(limiter(request), client_address(request), username)
    # The same work either way (the limit counts real and unknown usernames alike, so
    # saying "too many" tells nobody whether the account exists).
    await reset.request_reset(
        username, request.app.state.settings, code_page=code_page, send=allowed
    )
    if not allowed:
        return render(
            request,
            "auth/forgotten_password.html",
            {"values": parsed.values, "errors": {"username": reset.TOO_MANY}},
            block="reset_form",
        )
    return redirect(request, f"{code_page}?{urlencode({'username': username[:100]})}")


@get("/code", name="auth.reset_code")
async def reset_code_page(
    request: Request[Any, Any, Any], username: str = "", code: str = ""
) -> Response[Any]:
    values = {"username": username[:100], "code": code[:20]}
    return render(request, "auth/reset_code.html", {"values": values, "errors": {}})


@post("/code", name="auth.reset_code_submit")
async def reset_code_submit(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    parsed = forms.reset_code(data)
    errors = parsed.errors
    if parsed.ok:
        try:
            grant = await reset.check_code(
                parsed.values["username"],
                parsed.values["code"],
                address=client_address(request),
                limiter=limiter(request),
            )
        except Refused as refused:
            errors = refused.as_errors("code")
        else:
            response = redirect(request, request.app.route_reverse("auth.reset_password"))
            response.set_cookie(
                Cookie(
                    key=RESET_COOKIE,
                    value=grant,
                    path=_reset_path(request),
                    httponly=True,
                    samesite="strict",
                    secure=request.app.state.settings.secure_cookies,
                    max_age=reset.VALID_MINUTES * 60,
                )
            )
            return response
    return render(
        request,
        "auth/reset_code.html",
        {"values": parsed.values, "errors": errors},
        block="code_form",
    )


@get("/new-password", name="auth.reset_password")
async def reset_password_page(request: Request[Any, Any, Any]) -> Response[Any]:
    found = await reset.user_for_grant(request.cookies.get(RESET_COOKIE))
    context: dict[str, Any] = {"errors": {}, **_rules_context("", "")}
    if found is None:
        context["expired"] = True
    else:
        context["username"] = found[1].username
    return render(request, "auth/reset_password.html", context)


@post("/new-password", name="auth.reset_password_submit")
async def reset_password_submit(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    grant = request.cookies.get(RESET_COOKIE)
    found = await reset.user_for_grant(grant)
    if found is None or grant is None:
        return render(
            request,
            "auth/reset_password.html",
            {"errors": {}, "expired": True, **_rules_context("", "")},
            block="password_form",
        )
    user = found[1]
    parsed = forms.new_password(data, user.username)
    if parsed.ok:
        changed = await reset.complete(grant, parsed.values["new_password"])
        if changed is not None:
            # A reset ends every session of the user: whoever knew the old password is out.
            await request.app.state.sessions.delete_for_user(changed.id)
            response = redirect(request, request.app.route_reverse("auth.reset_done"))
            response.delete_cookie(RESET_COOKIE, path=_reset_path(request))
            return response
    return render(
        request,
        "auth/reset_password.html",
        {"errors": parsed.errors, "username": user.username, **_rules_context("", "")},
        block="password_form",
    )


@post("/check", name="auth.reset_password_check")
async def reset_password_check(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    found = await reset.user_for_grant(request.cookies.get(RESET_COOKIE))
    username = found[1].username if found else ""
    return render(
        request,
        "auth/reset_password.html",
        _rules_context(data.get("new_password", ""), username),
        block="password_rules",
    )


@get("/done", name="auth.reset_done")
async def reset_done(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "auth/reset_done.html")


# Changing one's password when signed in ------------------------------------------------


@get("/password", name="auth.change_password")
async def change_password_page(request: Request[Any, Any, Any], done: str = "") -> Response[Any]:
    user: User = request.scope["user"]
    return render(
        request,
        "auth/change_password.html",
        {
            "errors": {},
            "must_change": user.must_change_password,
            "done": bool(done),
            **_rules_context("", ""),
        },
    )


@post("/password", name="auth.change_password_submit")
async def change_password_submit(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    user: User = request.scope["user"]
    must_change = user.must_change_password
    parsed = forms.new_password(data, user.username, current_needed=not must_change)
    errors = parsed.errors
    if parsed.ok:
        try:
            await service.change_own_password(
                user,
                parsed.values["current_password"],
                parsed.values["new_password"],
                sessions=request.app.state.sessions,
                keep_session=request.scope["state"].get("session_token"),
                limiter=limiter(request),
                address=client_address(request),
                settings=request.app.state.settings,
            )
        except Refused as refused:
            errors = refused.as_errors("new_password")
    if errors:
        return render(
            request,
            "auth/change_password.html",
            {"errors": errors, "must_change": must_change, **_rules_context("", "")},
            block="password_form",
        )
    if must_change:
        return redirect(request, home(request, user))
    return redirect(request, request.app.route_reverse("auth.change_password") + "?done=1")


@post("/password/check", name="auth.change_password_check")
async def change_password_check(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    user: User = request.scope["user"]
    return render(
        request,
        "auth/change_password.html",
        _rules_context(data.get("new_password", ""), user.username),
        block="password_rules",
    )


router = routing.router(
    "/",
    [
        sign_in_page,
        sign_in,
        sign_out,
        signed_out,
        routing.router(
            "/forgotten-password",
            [
                forgotten_password,
                forgotten_password_submit,
                reset_code_page,
                reset_code_submit,
                reset_password_page,
                reset_password_submit,
                reset_password_check,
                reset_done,
            ],
        ),
        routing.router(
            "/account",
            [change_password_page, change_password_submit, change_password_check, keep_alive],
            guards=[signed_in],
            opt=ALLOWED_BEFORE_PASSWORD_CHANGE,
        ),
    ],
)
