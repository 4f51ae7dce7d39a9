"""This app's tables raise their event's version (portal.db.versioning)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from portal.db import versioning

ID = "2026-11-29T02:54:14:258790"
VERSION = "1.38.0"
DESCRIPTION = "event version triggers"
TABLES = ("conduct_reading", "concern", "evidence_confirmation")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="conduct", description=DESCRIPTION)

    async def run():
        for table in TABLES:
            await versioning.add_triggers(table)

    async def run_backwards():
        for table in TABLES:
            await versioning.drop_triggers(table)

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
