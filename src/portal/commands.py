"""The registry of `portal` subcommands. Features register theirs here (in their own
`commands.py`); `portal.cli` imports those modules and reads the registry, so no feature
imports the command line itself."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from portal.db import engine
from portal.settings import Settings

Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]
Arguments = Callable[[argparse.ArgumentParser], None]
COMMANDS: dict[str, tuple[Command, Arguments, str]] = {}


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def command(
    name: str, help: str, arguments: Arguments = _no_arguments
) -> Callable[[Command], Command]:
    """Register a subcommand."""

    def register(func: Command) -> Command:
        COMMANDS[name] = (func, arguments, help)
        return func

    return register


async def prepare_database(settings: Settings) -> str:
    """Make the data dir and apply pending migrations; returns Piccolo's report."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # A migration may rightly run longer than a page's statement timeout.
    db = engine.bind(
        settings.effective_database_url,
        settings.db_pool_size,
        connect_timeout=settings.db_connect_timeout,
        statement_timeout=0,
    )
    try:
        return await engine.migrate()
    finally:
        await engine.close(db)


@asynccontextmanager
async def database(settings: Settings):  # type: ignore[no-untyped-def]
    """Migrated and bound for the length of a command."""
    await prepare_database(settings)
    db = engine.bind(
        settings.effective_database_url,
        settings.db_pool_size,
        connect_timeout=settings.db_connect_timeout,
        statement_timeout=settings.db_statement_timeout,
    )
    try:
        yield db
    finally:
        await engine.close(db)
