"""One way to answer with HTML: the full page, or, for an htmx request, one block of it."""

from __future__ import annotations

from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request
from litestar.response import Redirect, Template
from litestar.response.base import Response
from litestar_htmx import ClientRedirect

from portal.web.middleware import csp_nonce


def wants_fragment(request: Request[Any, Any, Any]) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    state = request.scope.get("state", {})
    nonce = csp_nonce(request.scope)
    settings = request.app.state.settings
    return {
        "user": request.scope.get("user"),
        "csrf_token": state.get("csrf_token", ""),
        "csp_nonce": nonce,
        "service_name": settings.service_name,
        "support_contact": settings.support_contact,
    }


def render(
    request: Request[Any, Any, Any],
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    """Render `template`; for an htmx request with `block`, render only that block."""
    full_context = {**base_context(request), **(context or {})}
    all_headers = {"Vary": "HX-Request", **(headers or {})}
    if block and wants_fragment(request):
        return HTMXBlockTemplate(
            template_name=template,
            block_name=block,
            context=full_context,
            status_code=status_code,
            headers=all_headers,
        )
    return Template(
        template_name=template, context=full_context, status_code=status_code, headers=all_headers
    )


def redirect(request: Request[Any, Any, Any], url: str) -> Response[Any]:
    """After a POST: 303 for a plain form; HX-Redirect for htmx (the browser then loads the page)."""
    if wants_fragment(request):
        return client_redirect(url)
    return Redirect(path=url, status_code=303)


def client_redirect(url: str) -> Response[Any]:
    response = ClientRedirect(url)
    response.status_code = 200  # POST handlers default to 201; htmx wants a plain 200
    return response
