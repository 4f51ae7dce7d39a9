"""The `portal` command: demo, serve, migrate, and administration commands."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import secrets
import sys
from pathlib import Path
from typing import Any

import uvicorn
from litestar import Litestar

from portal import demo as demo_data
from portal import links, metrics, notify
from portal.accuracy import commands as _accuracy_commands  # noqa: F401  (registers its commands)
from portal.admin import commands as _admin_commands  # noqa: F401  (registers its commands)
from portal.app import ROUTERS, create_app
from portal.auth import commands as _auth_commands  # noqa: F401  (registers its commands)
from portal.backup import commands as _backup_commands  # noqa: F401  (registers its commands)
from portal.commands import COMMANDS, command, database, prepare_database
from portal.documents.api import make_storage
from portal.settings import LOG_FORMATS, Settings
from portal.web.logs import logging_config
from portal.web.proxies import parse_networks
from portal.web.templates import compile_all


def settings_from(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    return Settings.from_env(**overrides)


SECRET_KEY_FILE = "secret-key"  # demo only: kept in the data dir, so restarts keep sessions


def _server_options(settings: Settings) -> dict[str, Any]:
    return {
        # X-Forwarded-* are read by the app itself, from PORTAL_TRUSTED_PROXIES only.
        "proxy_headers": False,
        "server_header": False,
        # The app logs one line per request itself (portal.web.logs), with its request id.
        "access_log": False,
        "log_config": logging_config(settings.log_format),
        # SIGTERM: stop accepting, let requests in flight (uploads too) finish, then exit.
        "timeout_graceful_shutdown": settings.shutdown_seconds,
    }


WORKER_START_SECONDS = 60
FULL_COLLECTION_EVERY = 1000  # middle-generation collections between full ones (CPython: 10)


def serving_app(settings: Settings | None = None) -> Litestar:
    """The app as a server process runs it (each `serve` worker, `demo`): every template
    compiled before the first request, and what start-up made (templates, routes,
    modules), which lives as long as the process, frozen out of the garbage collector's
    sight, so that a full collection no longer walks it: the profile page's p99 at 4
    connections went from about 60 ms to 20 ms. Tests build many apps in one process and
    use `create_app` alone."""
    app = create_app(settings)

    async def warm(app: Litestar) -> None:
        compile_all(app.template_engine.engine)  # type: ignore[union-attr]
        gc.collect()
        gc.freeze()
        # With little left for full collections to walk, CPython would run one every 10
        # young ones (its 25% rule sees a small old generation): 17% of the profile
        # page's throughput. Every 1 000 keeps both: 345 req/s and a p99 of 20 ms.
        gc.set_threshold(700, 10, FULL_COLLECTION_EVERY)

    app.on_startup.append(warm)
    # Several workers share metrics files: a worker's live gauges go when it stops, and
    # those of a worker that was killed go when the next one starts.
    app.on_startup.append(metrics.forget_dead_workers)
    app.on_shutdown.append(metrics.worker_stopped)
    return app


def serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """uvicorn's own supervisor: it binds the socket, starts `workers` processes that each
    build the app from the environment, restarts one that dies, and on SIGTERM stops them
    gracefully. Several workers count into one directory of metrics files (an empty one,
    made here unless PROMETHEUS_MULTIPROC_DIR names it), so that a scrape of any of them
    sums them all."""
    os.environ["PORTAL_DATA_DIR"] = str(settings.data_dir)  # --data-dir, for the workers
    shared, made_here = metrics.prepare_multiprocess_dir() if workers > 1 else (None, False)
    try:
        uvicorn.run(
            "portal.cli:serving_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            # A worker that has not answered the supervisor by then is killed and started
            # again (uvicorn: 5 s). Importing the portal takes ~1.2 s of CPU: on a busy
            # machine 8-10 s, and at 5 s a second worker was killed 15 times running.
            timeout_worker_healthcheck=WORKER_START_SECONDS,
            **_server_options(settings),
        )
    finally:
        if shared is not None and made_here:
            metrics.remove_multiprocess_dir(shared)


def serve_demo(settings: Settings, host: str, port: int) -> None:
    uvicorn.run(serving_app(settings), host=host, port=port, **_server_options(settings))


def demo_secret_key(data_dir: Path) -> str:
    """The demo's key: PORTAL_SECRET_KEY if set, else one generated once and kept in the
    data dir (mode 0600), so that a restart keeps sessions and open forms working."""
    if os.environ.get("PORTAL_SECRET_KEY"):
        return os.environ["PORTAL_SECRET_KEY"]
    path = data_dir / SECRET_KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as out:
        out.write(secrets.token_hex(32))
    return path.read_text().strip()


def demo_base_url(host: str, port: int) -> str:
    """The demo's own address, for links in its mail: a wildcard host (listen on every
    address) is reached on this machine as the loopback address."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}"


def install_links(settings: Settings) -> None:
    """A command queues mail too (a team change, a reminder, the demo's draft report): its
    links need the route names and the public address, as a server's do. The routes
    alone: no app state, nothing started, nothing written to the data dir."""
    # No logging_config: Litestar's default would add its own handler, and a line in its
    # format would break `PORTAL_LOG_FORMAT=json`'s one JSON object a line.
    routes = Litestar(route_handlers=ROUTERS, openapi_config=None, logging_config=None)
    links.install(routes.route_reverse, settings.base_url)
    notify.install(settings)


def refusal(settings: Settings, workers: int) -> str | None:
    """Why `serve` must not start with this configuration (a setting that would half-work)."""
    if not os.environ.get("PORTAL_SECRET_KEY"):
        return (
            "portal serve: set PORTAL_SECRET_KEY (a long random value, the same on every "
            "worker and machine; without it sessions and forms break across workers and restarts)"
        )
    if workers > 1 and not settings.redis_url:
        return (
            f"portal serve: --workers {workers} needs PORTAL_REDIS_URL (sessions and rate "
            "limits must be shared by every worker)"
        )
    if settings.log_format not in LOG_FORMATS:
        return f"portal serve: PORTAL_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}"
    try:
        parse_networks(settings.trusted_proxies)
        parse_networks(settings.metrics_allow, setting="PORTAL_METRICS_ALLOW")
    except ValueError as error:
        return f"portal serve: {error}"
    return None


def _server_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)


def _serve_args(parser: argparse.ArgumentParser) -> None:
    _server_args(parser)
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("PORTAL_WORKERS") or 1),
        help="worker processes (more than one needs PORTAL_REDIS_URL)",
    )


@command("migrate", "apply database migrations")
async def migrate(args: argparse.Namespace, settings: Settings) -> int:
    print((await prepare_database(settings)).strip())
    print("Migrations applied.")
    return 0


@command("serve", "run the portal (migrates first, then starts the workers)", _serve_args)
async def serve(args: argparse.Namespace, settings: Settings) -> int:
    problem = refusal(settings, args.workers)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    await prepare_database(settings)  # once, here, before any worker starts
    return 0


@command("demo", "run the portal with demo data (SQLite in the data dir)", _server_args)
async def demo(args: argparse.Namespace, settings: Settings) -> int:
    files = make_storage(settings)
    try:
        async with database(settings):
            await demo_data.load(files)
    finally:
        await files.close()
    print(f"\nProvider Portal demo: {settings.base_url.rstrip('/')}/")
    print(
        f"Data: {settings.data_dir.resolve()}  (mail is written to {settings.outbox_dir.resolve()})"
    )
    print(f"Every demo account has the password {demo_data.DEMO_PASSWORD}:")
    for username, name, role, _urn, _email in demo_data.ACCOUNTS:
        print(f"  {username:<16} {role:<10} {name}")
    print(flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal", description="Provider Portal")
    parser.add_argument("--data-dir", default=os.environ.get("PORTAL_DATA_DIR", "var"))
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_func, arguments, help_text) in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text)
        sub_parser.add_argument("--data-dir", default=argparse.SUPPRESS)
        arguments(sub_parser)
    args = parser.parse_args(argv)
    settings = settings_from(args)
    if args.command == "demo":
        settings = settings.with_(secret_key=demo_secret_key(settings.data_dir))
        if not os.environ.get("PORTAL_BASE_URL"):  # links in mail reach this demo
            settings = settings.with_(base_url=demo_base_url(args.host, args.port))
    install_links(settings)
    func = COMMANDS[args.command][0]
    status = asyncio.run(func(args, settings))
    if status == 0 and args.command == "serve":
        serve_workers(settings, args.host, args.port, args.workers)
    elif status == 0 and args.command == "demo":
        serve_demo(settings, args.host, args.port)  # one process, as the demo always was
    return status


if __name__ == "__main__":
    sys.exit(main())
