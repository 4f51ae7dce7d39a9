"""Error pages in the service's own style; no stack trace is ever shown."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.response import Redirect

from portal.web.logs import request_id
from portal.web.middleware import CsrfFailure
from portal.web.render import client_redirect, render

log = logging.getLogger("portal")

TITLES = {
    400: "Sorry, there is a problem with your request",
    403: "You do not have permission to do this",
    404: "Page not found",
    405: "Sorry, there is a problem with your request",
    409: "This has already been done",
    413: "The file is too large",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}


def sign_in_url(request: Request[Any, Any, Any]) -> str:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return f"{request.app.route_reverse('auth.sign_in')}?next={quote(target, safe='')}"


def _error_page(request: Request[Any, Any, Any], status: int) -> Response[Any]:
    title = TITLES.get(status, TITLES[400] if status < 500 else TITLES[500])
    return render(
        request,
        "error/error.html",
        {"status": status, "title": title, "request_id": request_id(request.scope)},
        status_code=status,
    )


def not_authorized(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    url = sign_in_url(request)
    if request.headers.get("hx-request"):
        return client_redirect(url)
    return Redirect(path=url, status_code=303)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return _error_page(request, exc.status_code)


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    rid = request_id(request.scope)
    log.exception(
        "unhandled error on %s %s id=%s",
        request.method,
        request.url.path,
        rid,
        exc_info=exc,
        extra={"request_id": rid},
    )
    return _error_page(request, 500)


def csrf_failure(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return render(
        request,
        "error/error.html",
        {
            "status": 403,
            "title": "Your form could not be sent",
            "message": "The page was out of date, for example because you signed out "
            "or signed in again in another tab. Go back, reload the page and try again.",
            "request_id": request_id(request.scope),
        },
        status_code=403,
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    CsrfFailure: csrf_failure,
    NotAuthorizedException: not_authorized,
    PermissionDeniedException: http_error,
    NotFoundException: http_error,
    HTTPException: http_error,
    500: server_error,
    Exception: server_error,
}
