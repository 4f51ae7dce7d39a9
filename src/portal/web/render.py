"""One way to answer with HTML: the full page, or, for an htmx request, one block of it."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from jinja2_fragments import render_block
from litestar import Request
from litestar.enums import MediaType
from litestar.response import Redirect, Template
from litestar.response.base import Response
from litestar_htmx import ClientRedirect
from markupsafe import Markup

from portal.web.middleware import csp_nonce
from portal.web.templates import page_title


def wants_fragment(request: Request[Any, Any, Any]) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


# What differs on every request, so a cached page (portal.web.page_cache) puts it back in
# each answer: templates read these names from the context as they are (no arithmetic).
# With each, its width when it never varies (the compressed text after it may then refer
# back past it): a SHA-256 in hex, 16 random bytes in base64url, seconds as six digits.
PER_REQUEST: dict[str, int | None] = {
    "csrf_token": 64,
    "csp_nonce": 22,
    "session_ends_in": 6,
    "session_ends_by": 6,
}
SECONDS = "{:06d}"  # 12 hours is 43 200 s: six digits always do


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    state = request.scope.get("state", {})
    nonce = csp_nonce(request.scope)
    settings = request.app.state.settings
    session = state.get("session")
    return {
        "user": request.scope.get("user"),
        "csrf_token": state.get("csrf_token", ""),
        "csp_nonce": nonce,
        # The timeout warning's clock: seconds left now, and to the session's absolute end.
        "session_ends_in": SECONDS.format(session.seconds_left()) if session else "",
        "session_ends_by": SECONDS.format(session.seconds_to_end()) if session else "",
        "service_name": settings.service_name,
        "support_contact": settings.support_contact,
    }


def page_html(
    request: Request[Any, Any, Any],
    template: str,
    context: dict[str, Any],
    *,
    block: str | None = None,
) -> str:
    """What `render` answers, as a string: the page, or for htmx its `block`."""
    jinja = request.app.template_engine.engine  # type: ignore[union-attr]
    if block and wants_fragment(request):
        return _fragment_html(jinja, template, block, context)
    # As Litestar's Template response renders it (the same two extra names).
    return jinja.get_template(template).render({**context, "request": request, "csrf_input": ""})


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
        return _fragment(request, template, block, full_context, status_code, all_headers)
    return Template(
        template_name=template, context=full_context, status_code=status_code, headers=all_headers
    )


def _fragment(
    request: Request[Any, Any, Any],
    template: str,
    block: str,
    context: dict[str, Any],
    status_code: int,
    headers: dict[str, str],
) -> Response[Any]:
    """One block of a page, followed by the page's <title> as it now stands: htmx
    takes a <title> at the top level of a fragment as the document's new title, so
    a swap that shows or clears errors adds or drops "Error: " as a full page would.
    (Partial templates, which have no title block, are sent as they are.)"""
    jinja = request.app.template_engine.engine  # type: ignore[union-attr]
    html = _fragment_html(jinja, template, block, context)
    return Response(
        content=html, media_type=MediaType.HTML, status_code=status_code, headers=headers
    )


def _fragment_html(jinja: Environment, template: str, block: str, context: dict[str, Any]) -> str:
    html: str = render_block(jinja, template, block, context)
    if "title" in jinja.get_template(template).blocks:
        title = page_title(
            render_block(jinja, template, "title", context),
            context.get("errors"),
            context["service_name"],
        )
        html += str(Markup("\n<title>{}</title>\n").format(title))
    return html


def already_done(
    request: Request[Any, Any, Any],
    template: str,
    context: dict[str, Any],
    *,
    block: str,
    message: str,
) -> Response[Any]:
    """The one answer to a change of something that is done (a completed form, an answered
    concern, a closed event): nothing is written, and the user sees it as it now is, view
    only, with `message` saying why. A plain POST gets the page, an htmx POST the same
    block swapped where the form was: both 200, since htmx does not swap a 4xx."""
    return render(request, template, {**context, "already_done": message}, block=block)


def redirect(request: Request[Any, Any, Any], url: str) -> Response[Any]:
    """After a POST: 303 for a plain form; HX-Redirect for htmx (the browser then loads the page)."""
    if wants_fragment(request):
        return client_redirect(url)
    return Redirect(path=url, status_code=303)


def client_redirect(url: str) -> Response[Any]:
    response = ClientRedirect(url)
    response.status_code = 200  # POST handlers default to 201; htmx wants a plain 200
    return response
