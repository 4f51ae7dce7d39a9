"""Pages with fixed content: accessibility statement and the code of conduct."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Response

from portal.web.render import render


@get("/accessibility", name="pages.accessibility")
async def accessibility(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "pages/accessibility.html")


@get("/code-of-conduct", name="pages.code_of_conduct")
async def code_of_conduct(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "pages/code_of_conduct.html")


route_handlers = [accessibility, code_of_conduct]
