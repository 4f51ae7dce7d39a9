"""Indexes that keep the lists flat as data grows (100 000 events, 1 000 000 audit rows):
each list's page is read straight off an index in the list's order (keyset paging in
portal.admin.service), never a scan of the table and a sort. Ascending: the database
reads them backwards for "newest first", and `WHERE event = ?` still answers oldest first."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T00:29:37:143400"
VERSION = "1.38.0"
DESCRIPTION = "indexes for lists at scale"

INDEXES = {
    # A provider's events, newest first (its users' list, the admin provider page).
    "event_provider_start_date_idx": "event (provider, start_date, id)",
    # The audit log, latest first; and filtered by event, or by who did it.
    "audit_event_at_id_idx": "audit_event (at, id)",
    "audit_event_event_at_idx": "audit_event (event, at, id)",
    "audit_event_actor_at_idx": "audit_event (actor, at, id)",
}


async def forwards():
    from portal.db.tables import Event

    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)

    async def run():
        for name, target in INDEXES.items():
            await Event.raw(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def run_backwards():
        for name in INDEXES:
            await Event.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
