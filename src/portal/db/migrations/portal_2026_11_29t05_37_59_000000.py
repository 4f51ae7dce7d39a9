"""Reports already published become version 1 (a migration of its own: piccolo runs a
migration's raw steps before its new columns exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T05:37:59:000000"
VERSION = "1.38.0"
DESCRIPTION = "number the reports already published"


async def forwards():
    from portal.db.tables import Document

    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def run():
        await Document.raw(
            "UPDATE document SET version = 1 WHERE side = 'ofsted' "
            "AND kind IN ('draft_report', 'final_report') "
            "AND state IN ('live', 'pending_delete')"
        )

    manager.add_raw(run)
    return manager
