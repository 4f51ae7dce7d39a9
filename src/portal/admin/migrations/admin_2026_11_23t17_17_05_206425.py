"""Indexes the administrator's lists need to stay fast at 100 000 events: the event
list is ordered by start date (newest first) and paged, the provider list by name."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T17:17:05:206425"
VERSION = "1.38.0"
DESCRIPTION = "indexes for the admin lists"

INDEXES = [
    "CREATE INDEX IF NOT EXISTS event_start_date_id_idx ON event (start_date DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS provider_name_idx ON provider (name, id)",
    "CREATE INDEX IF NOT EXISTS portal_user_display_name_idx ON portal_user (display_name, id)",
]


async def forwards():
    from portal.db.tables import Event

    manager = MigrationManager(migration_id=ID, app_name="admin", description=DESCRIPTION)

    async def run():
        for sql in INDEXES:
            await Event.raw(sql)

    async def run_backwards():
        for name in [
            "event_start_date_id_idx",
            "provider_name_idx",
            "portal_user_display_name_idx",
        ]:
            await Event.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
