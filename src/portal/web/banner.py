"""Success banners after a redirect (post/redirect/get). The message travels in the
URL with an HMAC beside it, so a link from elsewhere cannot make the service show
words of its choosing in a trusted banner."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import urlencode

from litestar import Request


def _signature(secret_key: str, message: str) -> str:
    return hmac.new(secret_key.encode(), f"banner:{message}".encode(), hashlib.sha256).hexdigest()[
        :32
    ]


def with_banner(request: Request[Any, Any, Any], url: str, message: str, **params: str) -> str:
    """`url` with a signed success message (and any other query `params`)."""
    path, _, anchor = url.partition("#")
    secret = request.app.state.settings.secret_key
    query = urlencode({"done": message, "sig": _signature(secret, message), **params})
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}{query}" + (f"#{anchor}" if anchor else "")


def banner(request: Request[Any, Any, Any]) -> str | None:
    """The success message of this request's URL, if it was signed by us."""
    message = request.query_params.get("done")
    signature = request.query_params.get("sig", "")
    if not message:
        return None
    expected = _signature(request.app.state.settings.secret_key, message)
    return message if hmac.compare_digest(expected, signature) else None
