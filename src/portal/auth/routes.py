"""Sign in, sign out, 'Forgotten or change password', and changing one's password."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, Router, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response

from portal import audit
from portal.auth import forms, password_rules, rate_limit, reset, service
from portal.auth.passwords import verify_password
from portal.auth.sessions import COOKIE_NAME
from portal.db.tables import User
from portal.web.guards import signed_in
from portal.web.render import redirect, render

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
RESET_COOKIE = "portal_reset"
RESET_PATH = "/forgotten-password"
TOO_MANY_RESETS = "Too many attempts. Wait a few minutes, then try again"


def _safe_next(target: str | None) -> str | None:
    # Only same-site paths: never an open redirect to another host.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def session_cookie(request: Request[Any, Any, Any], value: str, *, max_age: int | None) -> Cookie:
    return Cookie(
        key=COOKIE_NAME,
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


@get("/sign-in", name="auth.sign_in")
async def sign_in_page(request: Request[Any, Any, Any], next: str | None = None) -> Response[Any]:
    if request.scope.get("user") is not None:
        return Redirect(
            _safe_next(next) or request.app.route_reverse(service.home_for(request.scope["user"]))
        )
    return render(
        request, "auth/sign_in.html", {"values": {}, "errors": {}, "next": _safe_next(next)}
    )


@post("/sign-in", name="auth.sign_in_submit")
async def sign_in(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    settings = request.app.state.settings
    username = data.get("username", "")
    password = data.get("password", "")
    next_url = _safe_next(data.get("next"))
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = "Enter your username"
    if not password:
        errors["password"] = "Enter your password"
    result = None
    if not errors:
        allowed = await rate_limit.allow_all(
            limiter(request),
            [
                (rate_limit.SIGN_IN_PER_ADDRESS, client_address(request)),
                (rate_limit.SIGN_IN_PER_USERNAME, service.normalise_username(username)),
            ],
        )
        if not allowed:
            errors["username"] = service.TOO_MANY
            await audit.record("sign-in rate limited", actor=None, detail=username[:100])
        else:
            result = await service.authenticate(
                username,
                password,
                max_attempts=settings.lockout_attempts,
                lock_minutes=settings.lockout_minutes,
                limiter=limiter(request),
            )
            if result.error:
                errors["username"] = result.error
    if errors or result is None or result.user is None:
        return render(
            request,
            "auth/sign_in.html",
            {"values": {"username": username}, "errors": errors, "next": next_url},
            block="sign_in_form",
        )
    sessions = request.app.state.sessions
    # A new session id at every sign-in: an id planted before sign-in is worthless.
    old = request.scope["state"].get("session_token")
    if old:
        await sessions.delete(old)
    token = await sessions.create(result.user.id)
    target = request.app.route_reverse(service.home_for(result.user))
    if not result.user.must_change_password:
        target = next_url or target
    response = redirect(request, target)
    response.set_cookie(session_cookie(request, token, max_age=settings.session_hours * 3600))
    return response


@post("/sign-out", name="auth.sign_out")
async def sign_out(request: Request[Any, Any, Any]) -> Response[Any]:
    token = request.scope["state"].get("session_token")
    user = request.scope.get("user")
    if token:
        await request.app.state.sessions.delete(token)
    if user is not None:
        await audit.record("signed out", actor=user.id)
    response = redirect(request, "/signed-out")
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@get("/signed-out", name="auth.signed_out")
async def signed_out(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "auth/signed_out.html")


# 'Forgotten or change password' ------------------------------------------------------


async def _reset_allowed(
    request: Request[Any, Any, Any], per_username: rate_limit.Limit, username: str
) -> bool:
    return await rate_limit.allow_all(
        limiter(request),
        [
            (rate_limit.RESET_PER_ADDRESS, client_address(request)),
            (per_username, service.normalise_username(username)),
        ],
    )


@get("/forgotten-password", name="auth.forgotten_password")
async def forgotten_password(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "auth/forgotten_password.html", {"values": {}, "errors": {}})


@post("/forgotten-password", name="auth.forgotten_password_submit")
async def forgotten_password_submit(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    username = data.get("username", "").strip()
    errors = forms.username_errors(data)
    if errors:
        return render(
            request,
            "auth/forgotten_password.html",
            {"values": {"username": username}, "errors": errors},
            block="reset_form",
        )
    allowed = await _reset_allowed(request, rate_limit.RESET_REQUEST_PER_USERNAME, username)
    # Over the limit, nothing is sent, but the answer is the same: no hint either way.
    await reset.request_reset(username, request.app.state.settings, send=allowed)
    return redirect(request, f"{RESET_PATH}/code?username={quote(username[:100], safe='')}")


@get("/forgotten-password/code", name="auth.reset_code")
async def reset_code_page(
    request: Request[Any, Any, Any], username: str = "", code: str = ""
) -> Response[Any]:
    values = {"username": username[:100], "code": code[:20]}
    return render(request, "auth/reset_code.html", {"values": values, "errors": {}})


@post("/forgotten-password/code", name="auth.reset_code_submit")
async def reset_code_submit(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    username = data.get("username", "").strip()
    code = data.get("code", "").strip()
    errors = forms.username_errors(data)
    if not code:
        errors["code"] = "Enter the code from the email"
    if not errors:
        if not await _reset_allowed(request, rate_limit.RESET_CODE_PER_USERNAME, username):
            errors["code"] = TOO_MANY_RESETS
        else:
            result = await reset.verify_code(username, code)
            if result.grant:
                response = redirect(request, f"{RESET_PATH}/new-password")
                response.set_cookie(
                    Cookie(
                        key=RESET_COOKIE,
                        value=result.grant,
                        path=RESET_PATH,
                        httponly=True,
                        samesite="strict",
                        secure=request.app.state.settings.secure_cookies,
                        max_age=reset.VALID_MINUTES * 60,
                    )
                )
                return response
            errors["code"] = result.error or reset.WRONG_CODE
    return render(
        request,
        "auth/reset_code.html",
        {"values": {"username": username, "code": code}, "errors": errors},
        block="code_form",
    )


def _rules_context(password: str, username: str) -> dict[str, Any]:
    return {"rules": password_rules.check(password, username), "typed": bool(password)}


@get("/forgotten-password/new-password", name="auth.reset_password")
async def reset_password_page(request: Request[Any, Any, Any]) -> Response[Any]:
    found = await reset.user_for_grant(request.cookies.get(RESET_COOKIE))
    context: dict[str, Any] = {"errors": {}, **_rules_context("", "")}
    if found is None:
        context["expired"] = True
    else:
        context["username"] = found[1].username
    return render(request, "auth/reset_password.html", context)


@post("/forgotten-password/new-password", name="auth.reset_password_submit")
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
    errors = forms.new_password_errors(data, user.username)
    if not errors:
        changed = await reset.complete(grant, data["new_password"])
        if changed is not None:
            # A reset ends every session of the user: whoever knew the old password is out.
            await request.app.state.sessions.delete_for_user(changed.id)
            response = redirect(request, f"{RESET_PATH}/done")
            response.delete_cookie(RESET_COOKIE, path=RESET_PATH)
            return response
    return render(
        request,
        "auth/reset_password.html",
        {"errors": errors, "username": user.username, **_rules_context("", "")},
        block="password_form",
    )


@post("/forgotten-password/check", name="auth.reset_password_check")
async def reset_password_check(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    found = await reset.user_for_grant(request.cookies.get(RESET_COOKIE))
    username = found[1].username if found else ""
    return render(
        request,
        "auth/reset_password.html",
        _rules_context(data.get("new_password", ""), username),
        block="password_rules",
    )


@get("/forgotten-password/done", name="auth.reset_done")
async def reset_done(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "auth/reset_done.html")


# Changing one's password when signed in ------------------------------------------------


@get("/account/password", name="auth.change_password", guards=[signed_in])
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


@post("/account/password", name="auth.change_password_submit", guards=[signed_in])
async def change_password_submit(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    user: User = request.scope["user"]
    must_change = user.must_change_password
    errors: dict[str, str] = {}
    if not must_change:
        current = data.get("current_password", "")
        if not current:
            errors["current_password"] = "Enter your current password"
        elif not await verify_password(user.password_hash, current):
            errors["current_password"] = "Your current password is not correct"
    errors.update(forms.new_password_errors(data, user.username))
    if not errors and await verify_password(user.password_hash, data["new_password"]):
        errors["new_password"] = "Your new password must be different from the one you have now"
    if errors:
        return render(
            request,
            "auth/change_password.html",
            {"errors": errors, "must_change": must_change, **_rules_context("", "")},
            block="password_form",
        )
    await service.change_password(user, data["new_password"], actor_id=user.id)
    await audit.record(
        "password chosen at first sign-in" if must_change else "password changed", actor=user.id
    )
    # Every other session of the user ends; this one goes on.
    await request.app.state.sessions.delete_for_user(
        user.id, keep=request.scope["state"].get("session_token")
    )
    if must_change:
        user.must_change_password = False
        return redirect(request, request.app.route_reverse(service.home_for(user)))
    return redirect(request, "/account/password?done=1")


@post("/account/password/check", name="auth.change_password_check", guards=[signed_in])
async def change_password_check(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
    user: User = request.scope["user"]
    return render(
        request,
        "auth/change_password.html",
        _rules_context(data.get("new_password", ""), user.username),
        block="password_rules",
    )


route_handlers = [
    sign_in_page,
    sign_in,
    sign_out,
    signed_out,
    forgotten_password,
    forgotten_password_submit,
    reset_code_page,
    reset_code_submit,
    reset_password_page,
    reset_password_submit,
    reset_password_check,
    reset_done,
    change_password_page,
    change_password_submit,
    change_password_check,
]

# Until this feature declares its own Router (issue 12): its handlers, as they are.
router = Router(path="/", route_handlers=route_handlers)
