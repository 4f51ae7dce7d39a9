"""Error pages in the service's own style; no stack trace is ever shown.

A fault in our code is the generic 500 page with a request id, logged with its traceback.
An outage of a dependency (the database, Redis, document storage, a full disk: see
portal.outages) is not our fault and not the user's: it gets the one "service unavailable"
page (503, Retry-After), which tells the user that nothing they saved is lost, and one
ERROR line in the request log naming the dependency, without a traceback (an outage would
otherwise print one per request). A client that went away mid-request gets nothing (it is
not listening) and one line.
"""

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

from portal.outages import Outage, outage
from portal.web.bodies import BodyStalled, ClientGone
from portal.web.logs import note_problem, request_id
from portal.web.middleware import CsrfFailure
from portal.web.render import client_redirect, render, wants_fragment

log = logging.getLogger("portal")

TITLES = {
    400: "Sorry, there is a problem with your request",
    403: "You do not have permission to do this",
    404: "Page not found",
    405: "Sorry, there is a problem with your request",
    408: "Sorry, your request took too long",
    409: "This has already been done",
    413: "The file is too large",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}
UNAVAILABLE_TEMPLATE = "error/unavailable.html"
UNAVAILABLE_BLOCK = "main_content"  # an htmx request gets it swapped in as the page's content
UNAVAILABLE_TARGET = "#main-content"
RETRY_AFTER_SECONDS = 60  # most outages we see (a restart, a failover) are over within a minute
CLIENT_CLOSED = 499  # nginx's "client closed request": logged, never seen by anyone


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


def unavailable(request: Request[Any, Any, Any], found: Outage) -> Response[Any]:
    """The service's one answer while a dependency is down: the full page, or for htmx its
    content swapped in place of the page's (htmx-config lets a 503 swap)."""
    note_problem(request.scope, found.describe(), level=logging.ERROR)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if wants_fragment(request):
        headers |= {"HX-Retarget": UNAVAILABLE_TARGET, "HX-Reswap": "innerHTML show:window:top"}
    return render(
        request,
        UNAVAILABLE_TEMPLATE,
        {"request_id": request_id(request.scope), "dependency": found.dependency},
        block=UNAVAILABLE_BLOCK,
        status_code=503,
        headers=headers,
    )


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    found = outage(exc)
    if found is not None:
        return unavailable(request, found)
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


def client_gone(request: Request[Any, Any, Any], exc: ClientGone) -> Response[Any]:
    note_problem(request.scope, "client closed the connection mid-request")
    return Response(content=b"", status_code=CLIENT_CLOSED)


def body_stalled(request: Request[Any, Any, Any], exc: BodyStalled) -> Response[Any]:
    note_problem(request.scope, "request body stalled: gave up waiting", level=logging.WARNING)
    return render(
        request,
        "error/error.html",
        {
            "status": 408,
            "title": TITLES[408],
            "message": "Your browser stopped sending what you had asked it to send, for example "
            "a file you were uploading. Nothing from it was kept. Check your connection and "
            "try again.",
            "request_id": request_id(request.scope),
        },
        status_code=408,
        headers={"Connection": "close"},
    )


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
    ClientGone: client_gone,
    BodyStalled: body_stalled,
    NotAuthorizedException: not_authorized,
    PermissionDeniedException: http_error,
    NotFoundException: http_error,
    HTTPException: http_error,
    500: server_error,
    Exception: server_error,
}
