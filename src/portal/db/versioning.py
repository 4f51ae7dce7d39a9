"""event.version: raised by database triggers in the same transaction as any change to
what an event's pages show (its own row, its provider, the people on it, and every
table that belongs to an event). Pages cached by portal.web.page_cache are keyed by it,
so a change that no code path remembered to announce still shows at once.

Each table that belongs to an event gets its triggers in the migration of the app that
owns it (`await versioning.add_triggers("concern")`); tests/db/test_event_version.py
fails for a table with an `event` column and no trigger."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from portal.db.tables import Event

BUMP = "UPDATE event SET version = version + 1 WHERE"
# Columns of the event row that pages show (not `version` itself: no trigger loops).
EVENT_COLUMNS = "event_ref, event_type, start_date, end_date, provider, status"
# What of a person the pages show: their name on a team, the provider they belong to.
USER_COLUMNS = "username, email, display_name, role, provider, active"
# Tables with an event column that no page shows from a cache (written on every change).
NOT_SHOWN = frozenset({"audit_event"})


def _postgres(table: type[Table]) -> bool:
    return table._meta.db.engine_type == "postgres"


def _sqlite_row_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_version_insert AFTER INSERT ON {table} "
        f"BEGIN {BUMP} id = NEW.event; END",
        f"CREATE TRIGGER {table}_version_update AFTER UPDATE ON {table} "
        f"BEGIN {BUMP} id IN (OLD.event, NEW.event); END",
        f"CREATE TRIGGER {table}_version_delete AFTER DELETE ON {table} "
        f"BEGIN {BUMP} id = OLD.event; END",
    ]


def _postgres_row_trigger(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION portal_bump_event()"
    ]


async def add_triggers(table: str) -> None:
    """Rows of `table` (which has an `event` column) raise their event's version."""
    sql = _postgres_row_trigger(table) if _postgres(Event) else _sqlite_row_triggers(table)
    for statement in sql:
        await Event.raw(statement)


async def drop_triggers(table: str) -> None:
    if _postgres(Event):
        await Event.raw(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
        return
    for action in ("insert", "update", "delete"):
        await Event.raw(f"DROP TRIGGER IF EXISTS {table}_version_{action}")


# The core tables' triggers (the portal app's migration), and PostgreSQL's functions.
SQLITE_CORE = [
    f"CREATE TRIGGER event_version_update AFTER UPDATE OF {EVENT_COLUMNS} ON event "
    f"BEGIN {BUMP} id = NEW.id; END",
    "CREATE TRIGGER provider_version_update AFTER UPDATE ON provider "
    f"BEGIN {BUMP} provider = NEW.id; END",
    f"CREATE TRIGGER portal_user_version_update AFTER UPDATE OF {USER_COLUMNS} ON portal_user "
    f"BEGIN {BUMP} provider IN (OLD.provider, NEW.provider) "
    'OR id IN (SELECT event FROM team_member WHERE team_member."user" = NEW.id); END',
]
POSTGRES_CORE = [
    """CREATE FUNCTION portal_bump_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'DELETE' THEN
        UPDATE event SET version = version + 1 WHERE id = NEW.event;
      END IF;
      IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.event IS DISTINCT FROM NEW.event) THEN
        UPDATE event SET version = version + 1 WHERE id = OLD.event;
      END IF;
      RETURN NULL;
    END $$""",
    # The event row itself: raised in place, as the row is written.
    """CREATE FUNCTION portal_bump_own_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN NEW.version := OLD.version + 1; RETURN NEW; END $$""",
    f"CREATE TRIGGER event_version BEFORE UPDATE OF {EVENT_COLUMNS} ON event "
    "FOR EACH ROW EXECUTE FUNCTION portal_bump_own_version()",
    """CREATE FUNCTION portal_bump_provider_events() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN UPDATE event SET version = version + 1 WHERE provider = NEW.id; RETURN NULL; END $$""",
    "CREATE TRIGGER provider_version AFTER UPDATE ON provider "
    "FOR EACH ROW EXECUTE FUNCTION portal_bump_provider_events()",
    """CREATE FUNCTION portal_bump_user_events() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE event SET version = version + 1
      WHERE provider IN (OLD.provider, NEW.provider)
         OR id IN (SELECT event FROM team_member WHERE team_member."user" = NEW.id);
      RETURN NULL;
    END $$""",
    f"CREATE TRIGGER portal_user_version AFTER UPDATE OF {USER_COLUMNS} ON portal_user "
    "FOR EACH ROW EXECUTE FUNCTION portal_bump_user_events()",
]
SQLITE_CORE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS event_version_update",
    "DROP TRIGGER IF EXISTS provider_version_update",
    "DROP TRIGGER IF EXISTS portal_user_version_update",
]
POSTGRES_CORE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS event_version ON event",
    "DROP TRIGGER IF EXISTS provider_version ON provider",
    "DROP TRIGGER IF EXISTS portal_user_version ON portal_user",
    "DROP FUNCTION IF EXISTS portal_bump_own_version()",
    "DROP FUNCTION IF EXISTS portal_bump_provider_events()",
    "DROP FUNCTION IF EXISTS portal_bump_user_events()",
    "DROP FUNCTION IF EXISTS portal_bump_event()",
]


async def add_core() -> None:
    for statement in POSTGRES_CORE if _postgres(Event) else SQLITE_CORE:
        await Event.raw(statement)


async def drop_core() -> None:
    for statement in POSTGRES_CORE_BACKWARDS if _postgres(Event) else SQLITE_CORE_BACKWARDS:
        await Event.raw(statement)


def triggers_migration(
    migration_id: str, app_name: str, description: str, tables: tuple[str, ...]
) -> MigrationManager:
    """A feature's migration that gives its `tables` the triggers (and takes them away)."""
    manager = MigrationManager(
        migration_id=migration_id, app_name=app_name, description=description
    )

    async def run() -> None:
        for table in tables:
            await add_triggers(table)

    async def run_backwards() -> None:
        for table in tables:
            await drop_triggers(table)

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
