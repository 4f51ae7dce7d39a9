"""CSRF tokens bound to the visitor: an HMAC of the session token (or, before sign-in,
of a random pre-session cookie). Nothing to store, and a token stolen from one
session is useless in another."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "x-csrf-token"
FIELD = "csrf_token"
ANON_COOKIE = "portal_presession"


def anon_cookie(secure: bool) -> str:
    """Over https the pre-session cookie is `__Host-` prefixed: the browser then keeps it
    only if it is Secure, for this host alone, on path /, so no subdomain can plant one."""
    return f"__Host-{ANON_COOKIE}" if secure else ANON_COOKIE


def token_for(secret_key: str, seed: str) -> str:
    return hmac.new(secret_key.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def is_valid(secret_key: str, seed: str | None, submitted: str | None) -> bool:
    if not seed or not submitted:
        return False
    return hmac.compare_digest(token_for(secret_key, seed), submitted)
