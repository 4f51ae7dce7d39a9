"""event.version and the triggers that raise it (portal.db.versioning): here the event's
own row, its provider, its people, its team and its documents; each feature's migration
adds its own tables'."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

from portal.db import versioning

ID = "2026-11-29T02:53:31:156073"
VERSION = "1.38.0"
DESCRIPTION = "event version, raised by triggers"
TABLES = ("team_member", "document")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Event",
        tablename="event",
        column_name="version",
        db_column_name="version",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    async def run():
        await versioning.add_core()
        for table in TABLES:
            await versioning.add_triggers(table)

    async def run_backwards():
        for table in TABLES:
            await versioning.drop_triggers(table)
        await versioning.drop_core()

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
