"""PORTAL_TRUSTED_PROXIES: X-Forwarded-For/-Proto and X-Request-ID believed only from a
trusted peer. The rule at the ASGI layer, then a real `portal serve` writing JSON lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from portal.app import create_app
from portal.auth import rate_limit
from portal.settings import Settings
from portal.web import csrf
from portal.web.proxies import forwarded, forwarded_client, parse_networks
from tests.deploy.servers import portal_env, serving
from tests.factories import Factory


def test_networks_are_addresses_or_cidrs() -> None:
    networks = parse_networks(" 10.0.0.1, 192.168.0.0/16 ,::1,")
    assert [str(n) for n in networks] == ["10.0.0.1/32", "192.168.0.0/16", "::1/128"]
    with pytest.raises(ValueError, match=r"proxy\.internal"):
        parse_networks("10.0.0.1, proxy.internal")


def test_the_client_is_the_rightmost_untrusted_hop() -> None:
    proxies = parse_networks("10.0.0.0/8")
    # The client wrote the first entry itself; the proxy appended what it saw.
    assert forwarded_client("6.6.6.6, 203.0.113.7, 10.0.0.2", proxies) == "203.0.113.7"
    assert forwarded_client("203.0.113.7", proxies) == "203.0.113.7"


async def _scope_seen(networks: str, peer: str, headers: dict[str, str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(scope)

    scope = {
        "type": "http",
        "scheme": "http",
        "client": (peer, 50000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    await forwarded(app, parse_networks(networks))(scope, None, None)  # type: ignore[arg-type]
    return seen


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


async def test_forwarded_headers_from_a_trusted_proxy_are_believed() -> None:
    scope = await _scope_seen("10.0.0.0/8", "10.1.2.3", FORWARDED)
    assert scope["client"][0] == "203.0.113.7"
    assert scope["scheme"] == "https"
    assert scope["state"]["trusted_peer"] is True


@pytest.mark.parametrize("networks", ["", "10.0.0.0/8"])
async def test_forwarded_headers_from_anyone_else_are_ignored(networks: str) -> None:
    scope = await _scope_seen(networks, "198.51.100.9", FORWARDED)
    assert scope["client"][0] == "198.51.100.9"
    assert scope["scheme"] == "http"
    assert scope["state"]["trusted_peer"] is False


def _request_lines(log: Path) -> list[dict[str, Any]]:
    entries = []
    for line in log.read_text().splitlines():
        entry = json.loads(line)  # every line is JSON, the server's own included
        if entry["logger"] == "portal.request":
            entries.append(entry)
    return entries


@pytest.mark.parametrize(
    ("trusted", "believed"), [("127.0.0.1", True), ("10.0.0.0/8", False)], ids=["trusted", "not"]
)
def test_served_behind_a_proxy_logs_the_real_client_once_per_request(
    tmp_path: Path, trusted: str, believed: bool
) -> None:
    env = portal_env(tmp_path / "data", PORTAL_TRUSTED_PROXIES=trusted, PORTAL_LOG_FORMAT="json")
    log = tmp_path / "serve.log"
    with serving(env, log) as server:
        response = httpx.get(
            f"{server.url}/sign-in",
            headers={**FORWARDED, "X-Request-ID": "proxy-req-42"},
        )
        missing = httpx.get(f"{server.url}/no-such-page")
    assert response.status_code == 200 and missing.status_code == 404

    entries = _request_lines(log)
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/sign-in", 200),
        ("GET", "/no-such-page", 404),
    ]  # one line a request (uvicorn's access log is off), the probes not logged
    first, second = entries
    assert isinstance(first["duration_ms"], float)
    assert first["client"] == ("203.0.113.7" if believed else "127.0.0.1")
    if believed:
        assert first["request_id"] == response.headers["x-request-id"] == "proxy-req-42"
    else:
        assert first["request_id"] == response.headers["x-request-id"] != "proxy-req-42"
    # The error page shows the id its log line has, for the user to quote.
    assert second["request_id"] == missing.headers["x-request-id"]
    assert f"<strong>{second['request_id']}</strong>" in missing.text


class Peer:
    """The app as reached over TCP from `address` (the test client has no address of
    its own): what a proxy in front of the portal looks like to it."""

    def __init__(self, app: Litestar, address: str) -> None:
        self.app, self.address = app, address

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope["client"] = (self.address, 40000)
        await self.app(scope, receive, send)


@pytest.mark.parametrize(
    ("peer", "counted_on"), [("10.0.0.5", "203.0.113.7"), ("198.51.100.9", "198.51.100.9")]
)
async def test_sign_in_limits_count_the_client_a_trusted_proxy_names(
    settings: Settings, make: Factory, peer: str, counted_on: str
) -> None:
    user = await make.user("provider", username="limited.user")
    app = create_app(settings.with_(trusted_proxies="10.0.0.0/8"))
    async with AsyncTestClient(app=Peer(app, peer), base_url="http://testserver.local") as http:  # type: ignore[arg-type]
        await http.get("/sign-in")
        token = csrf.token_for(settings.secret_key, http.cookies[csrf.ANON_COOKIE])
        answer = await http.post(
            "/sign-in",
            data={"username": user.username, "password": "wrong", csrf.FIELD: token},
            headers={"X-Forwarded-For": "203.0.113.7"},
        )
        assert answer.status_code == 200  # the form again, with its error

        async def counts() -> dict[str, int]:
            limiter = app.state.rate_limiter
            window = rate_limit.SIGN_IN_PER_ADDRESS.window
            return {
                address: await limiter.count(f"sign-in:address:{address}", window)
                for address in ("203.0.113.7", peer)
            }

        # Read on the app's own loop (the test client runs it in another thread).
        seen = await anyio.to_thread.run_sync(http.blocking_portal.call, counts)
    assert seen[counted_on] == 1
    assert sum(seen.values()) == 1
