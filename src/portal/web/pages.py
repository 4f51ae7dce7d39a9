"""Pages with fixed content: the accessibility statement (the code of conduct is in
portal.conduct.routes)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get
from litestar.response import Response

from portal.web.render import render


@get("/accessibility", name="pages.accessibility")
async def accessibility(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "pages/accessibility.html")


router = Router(path="/", route_handlers=[accessibility])
