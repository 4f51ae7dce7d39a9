"""The console's 'Waiting' page (what needs the administrator) and 'Mail' page (recent
outgoing mail; a failed message sent again). Listed in the admin router (routes.py),
behind its admin-only guard."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Response

from portal.admin import waiting as service
from portal.web.banner import banner, with_banner
from portal.web.guards import current_user
from portal.web.paging import Position, links
from portal.web.render import already_done, redirect, render

NOT_FAILED = (
    "This message has not failed (it was already sent again, or sent): nothing was changed."
)


@get("/waiting", name="admin.waiting")
async def waiting_page(request: Request[Any, Any, Any]) -> Response[Any]:
    found = await service.waiting()
    return render(request, "admin/waiting.html", {"waiting": found})


async def _mail_context(request: Request[Any, Any, Any], status: str) -> dict[str, Any]:
    status = status if status in service.MAIL_STATUSES else ""
    result = await service.mail_page(status, Position.of(request.query_params))
    base = request.app.route_reverse("admin.mail")
    return {
        "status": status,
        "statuses": service.MAIL_STATUSES,
        "page": result,
        "pagination": links(base, {"status": status}, result),
        "banner": banner(request),
    }


@get("/mail", name="admin.mail")
async def mail_list(request: Request[Any, Any, Any], status: str = "") -> Response[Any]:
    context = await _mail_context(request, status)
    return render(request, "admin/mail.html", context, block="results")


@post("/mail/{mail_id:int}/retry", name="admin.mail_retry")
async def mail_retry(request: Request[Any, Any, Any], mail_id: int) -> Response[Any]:
    if await service.find_mail(mail_id) is None:
        raise NotFoundException()
    if not await service.retry_mail(mail_id, current_user(request).id):
        context = await _mail_context(request, "")
        return already_done(
            request, "admin/mail.html", context, block="results", message=NOT_FAILED
        )
    url = request.app.route_reverse("admin.mail")
    return redirect(request, with_banner(request, url, "Message queued to be sent again"))


HANDLERS = [waiting_page, mail_list, mail_retry]
