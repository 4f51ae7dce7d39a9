"""Behind a TLS proxy: the client's address and scheme come from X-Forwarded-For and
X-Forwarded-Proto, but only when the peer is one of PORTAL_TRUSTED_PROXIES. Anyone else
could write those headers, and the rate limits, the audit log and the request log would
believe them.

Done here rather than by uvicorn's proxy_headers because the request log must also know
whether the peer is trusted (to honour its X-Request-ID), and the in-process app the tests
drive must behave as the served one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from litestar.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str, setting: str = "PORTAL_TRUSTED_PROXIES") -> tuple[Network, ...]:
    """'10.0.0.1, 192.168.0.0/16, ::1' -> networks; a malformed entry is an error at start-up
    (the message names `setting`)."""
    networks = []
    for item in value.split(","):
        item = item.strip()
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"{setting}: not an address or network: {item}") from None
    return tuple(networks)


def is_trusted(address: str | None, networks: Iterable[Network]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def forwarded_client(header: str, networks: tuple[Network, ...]) -> str | None:
    """The client in X-Forwarded-For: the rightmost address that is not a trusted proxy
    (every proxy appends the address it saw; the entries left of it are the client's word)."""
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, networks):
            return hop
    return hops[0] if hops else None


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def forwarded(app: ASGIApp, networks: tuple[Network, ...]) -> ASGIApp:
    """Rewrites scope["client"] and scope["scheme"] from a trusted proxy's headers, and
    marks state["trusted_peer"] for the layers inside."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        peer = scope.get("client")
        trusted = bool(networks) and is_trusted(peer[0] if peer else None, networks)
        scope.setdefault("state", {})["trusted_peer"] = trusted
        if trusted:
            client = forwarded_client(header(scope, b"x-forwarded-for") or "", networks)
            if client:
                scope["client"] = (client, 0)
            proto = (header(scope, b"x-forwarded-proto") or "").split(",")[0].strip().lower()
            if proto in {"http", "https"}:
                scope["scheme"] = proto
        await app(scope, receive, send)

    return middleware
