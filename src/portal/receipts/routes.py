"""'Activity and receipts': every submission on an event, and each one's printable
receipt. For the event's provider users, its Ofsted team and the administrators."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Response

from portal.receipts import service
from portal.web.access import EventAccess
from portal.web.render import render
from portal.web.routing import event_router


@get("/", name="receipts.activity")
async def activity(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
    access.require(service.may_read(access))
    context = {
        "access": access,
        "event": access.event,
        "submissions": await service.activity(access.event.id),
    }
    return render(request, "receipts/activity.html", context)


@get("/{reference:str}", name="receipts.receipt")
async def receipt(
    request: Request[Any, Any, Any], access: EventAccess, reference: str
) -> Response[Any]:
    access.require(service.may_read(access))
    found = await service.find(access.event.id, reference)
    if found is None:
        raise NotFoundException()
    context = {"access": access, "event": access.event, "receipt": found}
    return render(request, "receipts/receipt.html", context)


router = event_router("/activity", [activity, receipt])
