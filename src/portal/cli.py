"""The `portal` command: demo, serve, migrate, and administration commands."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

import uvicorn

from portal import demo as demo_data
from portal.admin import commands as _admin_commands  # noqa: F401  (registers its commands)
from portal.app import create_app
from portal.auth import commands as _auth_commands  # noqa: F401  (registers its commands)
from portal.commands import COMMANDS, command, database, prepare_database
from portal.documents.storage import FileStore
from portal.settings import Settings


def settings_from(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    return Settings.from_env(**overrides)


def _serve(settings: Settings, host: str, port: int) -> None:
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", proxy_headers=False)


def _server_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)


@command("migrate", "apply database migrations")
async def migrate(args: argparse.Namespace, settings: Settings) -> int:
    print((await prepare_database(settings)).strip())
    print("Migrations applied.")
    return 0


@command("serve", "run the portal", _server_args)
async def serve(args: argparse.Namespace, settings: Settings) -> int:
    await prepare_database(settings)
    return 0


@command("demo", "run the portal with demo data (SQLite in the data dir)", _server_args)
async def demo(args: argparse.Namespace, settings: Settings) -> int:
    async with database(settings):
        await demo_data.load(FileStore(settings.files_dir))
    address = f"http://{args.host}:{args.port}/"
    print(f"\nProvider Portal demo: {address}")
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
    func = COMMANDS[args.command][0]
    status = asyncio.run(func(args, settings))
    if args.command in {"serve", "demo"} and status == 0:
        _serve(settings, args.host, args.port)
    return status


if __name__ == "__main__":
    sys.exit(main())
