"""Probes for a load balancer or orchestrator: /healthz (the process answers) and /readyz
(the database, Redis when configured, and document storage answer). Plain text, no
session, no CSRF cookie, not in the request log (app.py passes PATHS to it)."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Litestar, Request, Router, get
from litestar.response import Response

from portal import redis_clients
from portal.db.tables import User

ALIVE = "/healthz"
READY = "/readyz"
PATHS = (ALIVE, READY)
TIMEOUT = 2.0  # seconds per check: a probe must answer even when a dependency hangs
PROBE = {"probe": True}  # route opt: the CSRF middleware leaves these routes alone


def _text(body: str, status: int = 200) -> Response[str]:
    return Response(body, status_code=status, media_type="text/plain")


async def _database() -> None:
    await User.raw("SELECT 1")


async def _redis(app: Litestar, url: str) -> None:
    client = app.state.get("health_redis")
    if client is None:
        client = app.state.health_redis = redis_clients.connect(
            url, name="portal-health", timeout=TIMEOUT
        )
    await client.ping()


async def _storage(files: Any) -> None:
    # The store's own check (app.state.files, a documents DocumentStore): the disk store's
    # directory is writable, the S3 store's bucket answers.
    await files.ready()


async def _outcome(check: Any) -> str:
    try:
        await asyncio.wait_for(check, TIMEOUT)
    except TimeoutError:
        return "no answer"
    except Exception as error:  # which kind of failure, never its details (no secrets)
        return f"failed ({type(error).__name__})"
    return "ok"


@get(ALIVE, name="health.alive", opt=PROBE, include_in_schema=False)
async def alive() -> Response[str]:
    return _text("ok")


@get(READY, name="health.ready", opt=PROBE, include_in_schema=False)
async def ready(request: Request[Any, Any, Any]) -> Response[str]:
    app = request.app
    settings = app.state.settings
    checks = {"database": _database(), "storage": _storage(app.state.files)}
    if settings.redis_url:
        checks["redis"] = _redis(app, settings.redis_url)
    outcomes = dict(zip(checks, await asyncio.gather(*map(_outcome, checks.values())), strict=True))
    failed = [name for name, outcome in outcomes.items() if outcome != "ok"]
    lines = "".join(f"{name}: {outcome}\n" for name, outcome in outcomes.items())
    if failed:
        return _text(f"not ready: {', '.join(failed)}\n{lines}", 503)
    return _text(f"ready\n{lines}")


async def close(app: Litestar) -> None:
    client = app.state.get("health_redis")
    if client is not None:
        await client.aclose()


router = Router(path="/", route_handlers=[alive, ready])
