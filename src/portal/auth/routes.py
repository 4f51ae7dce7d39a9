"""Sign in, sign out."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response

from portal import audit
from portal.auth import service
from portal.auth.sessions import COOKIE_NAME
from portal.web.render import redirect, render

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


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


@get("/sign-in", name="auth.sign_in")
async def sign_in_page(request: Request[Any, Any, Any], next: str | None = None) -> Response[Any]:
    if request.scope.get("user") is not None:
        return Redirect(_safe_next(next) or service.home_for(request.scope["user"]))
    return render(
        request, "auth/sign_in.html", {"values": {}, "errors": {}, "next": _safe_next(next)}
    )


@post("/sign-in", name="auth.sign_in_submit")
async def sign_in(request: Request[Any, Any, Any], data: Form) -> Response[Any]:
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
        result = await service.authenticate(username, password)
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
    response = redirect(request, next_url or service.home_for(result.user))
    response.set_cookie(
        session_cookie(request, token, max_age=request.app.state.settings.session_hours * 3600)
    )
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


@get("/forgotten-password", name="auth.forgotten_password")
async def forgotten_password(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "auth/forgotten_password.html")


route_handlers = [sign_in_page, sign_in, sign_out, signed_out, forgotten_password]
