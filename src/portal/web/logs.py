"""Logs a platform can read: one line per request (method, path, status, duration, request
id, client), plain text or JSON lines (PORTAL_LOG_FORMAT=json), and the request id every
error page shows so that a user can quote it.

A request that went wrong for a reason worth a word (a dependency down, the client gone,
a stalled body) says so in the same line (`note_problem`), at that problem's level, instead
of a traceback of its own: one line per request, whatever happened.

The request id is the trusted proxy's X-Request-ID when it sends a sane one (so the proxy's
log and ours share it), else a new one; it is echoed in the response's X-Request-ID.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from portal.db import engine as db_engine
from portal.web.proxies import header

log = logging.getLogger("portal.request")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# LogRecord attributes that are not `extra=` fields.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


def request_id(scope: Scope) -> str | None:
    return scope.get("state", {}).get("request_id")


def note_problem(scope: Scope, problem: str, *, level: int = logging.INFO) -> None:
    """Have this request's log line say what went wrong, logged at `level`."""
    state = scope.setdefault("state", {})
    state["log_problem"] = (problem, max(level, state.get("log_problem", ("", 0))[1]))


def _incoming_id(scope: Scope) -> str | None:
    if not scope.get("state", {}).get("trusted_peer"):
        return None
    value = header(scope, b"x-request-id")
    return value if value and _SANE_ID.fullmatch(value) else None


def request_log(app: ASGIApp, quiet_paths: Collection[str] = ()) -> ASGIApp:
    """Outermost layer of the app: gives each request its id and logs it once it is answered
    (requests to `quiet_paths`, the health probes, are not logged)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        rid = _incoming_id(scope) or secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500  # if the app fails before answering, the server answers 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders(message)[REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            with db_engine.counting() as queries:
                await app(scope, receive, send_with_id)
        finally:
            if scope["path"] not in quiet_paths:
                client = scope.get("client")
                duration = round((time.perf_counter() - started) * 1000, 1)
                problem, level = scope["state"].get("log_problem", ("", logging.INFO))
                log.log(
                    level,
                    "%s %s %s %sms queries=%d id=%s%s",
                    scope["method"],
                    scope["path"],
                    status,
                    duration,
                    queries.count,
                    rid,
                    f" problem={problem}" if problem else "",
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": duration,
                        "queries": queries.count,
                        "request_id": rid,
                        "client": client[0] if client else None,
                        **({"problem": problem} if problem else {}),
                    },
                )

    return middleware


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,  # which worker
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def logging_config(log_format: str) -> dict[str, Any]:
    """dictConfig for the server and the app alike (uvicorn applies it in every worker).
    uvicorn's own access log is off: ours is the one line per request."""
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"portal": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "portal",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "portal": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "piccolo": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        },
    }
