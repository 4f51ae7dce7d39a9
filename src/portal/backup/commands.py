"""The `backup` and `restore` commands (registered here, listed by `portal.cli`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from portal.backup.archive import ArchiveError, Manifest
from portal.backup.make import make_backup, stream_backup, target_path
from portal.backup.progress import size_text
from portal.backup.restore import RestoreRefused, restore, verify
from portal.backup.snapshot import SnapshotError
from portal.commands import command
from portal.settings import Settings


def _backup_args(parser: argparse.ArgumentParser) -> None:
    either = parser.add_mutually_exclusive_group()
    either.add_argument(
        "--to",
        metavar="PATH",
        help="the archive to write (a directory: a dated name in it; -: standard "
        "output, for a pipe); default ./portal-backup-<UTC time>.tar",
    )
    either.add_argument(
        "--verify",
        metavar="PATH",
        help="check an archive against its manifest instead of making one",
    )


def _restore_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="the archive to restore")


def _summary(manifest: Manifest) -> list[str]:
    database = manifest.database
    rows = sum(database["tables"].values())
    documents = manifest.documents
    mails = sum(1 for name in manifest.files if name.startswith("outbox/"))
    return [
        f"  made {manifest.created_at} by portal {manifest.portal_version}",
        f"  database: {database['kind']}, {len(database['tables'])} tables, {rows} rows",
        f"  documents: {documents['count']} ({size_text(documents['bytes'])})"
        + (f", {len(documents['gone'])} deleted while it ran" if documents["gone"] else ""),
        f"  outbox: {mails} mails",
    ]


@command("backup", "write one archive of the database, documents and outbox", _backup_args)
async def backup(args: argparse.Namespace, settings: Settings) -> int:
    if args.verify:
        try:
            manifest = verify(Path(args.verify))
        except ArchiveError as error:
            print(f"portal backup --verify: NOT a good backup: {error}", file=sys.stderr)
            return 1
        print(f"{args.verify}: every file matches its manifest.")
        print("\n".join(_summary(manifest)))
        return 0
    streaming = args.to == "-"
    if streaming and sys.stdout.isatty():
        print("portal backup: --to - writes the archive to a pipe, not a terminal", file=sys.stderr)
        return 2
    try:
        if streaming:
            made = await stream_backup(settings, sys.stdout.buffer)
        else:
            made = await make_backup(settings, target_path(args.to))
    except (FileExistsError, SnapshotError, ArchiveError, OSError) as error:
        print(f"portal backup: {error}", file=sys.stderr)
        return 1
    report = sys.stderr if streaming else sys.stdout  # with --to -, stdout is the archive
    for warning in made.warnings:
        print(f"portal backup: warning: {warning}", file=sys.stderr)
    print(f"Backup written: {made.path} ({size_text(made.size)})", file=report)
    print(f"  SHA-256 of the archive: {made.sha256}", file=report)
    print("\n".join(_summary(made.manifest)), file=report)
    return 0


@command("restore", "restore an archive into an empty data dir and database", _restore_args)
async def restore_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        restored = await restore(settings, Path(args.path))
    except (ArchiveError, RestoreRefused, OSError) as error:
        print(f"portal restore: {error}", file=sys.stderr)
        return 1
    print(f"Restored {args.path} into {settings.data_dir.resolve()}")
    print("\n".join(_summary(restored.manifest)))
    print("  rows by table:")
    for table, rows in sorted(restored.tables.items()):
        print(f"    {table:<28} {rows}")
    if restored.migrations_applied:
        print(f"  migrations applied (the archive was older): {len(restored.migrations_applied)}")
        for name in restored.migrations_applied:
            print(f"    {name}")
    else:
        print("  migrations: the archive was up to date")
    return 0
