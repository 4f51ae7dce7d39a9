"""This app's tables raise their event's version (portal.db.versioning)."""

from portal.db import versioning

ID = "2026-11-29T02:54:14:258790"
VERSION = "1.38.0"
DESCRIPTION = "event version triggers"
TABLES = ("conduct_reading", "concern", "evidence_confirmation")


async def forwards():
    return versioning.triggers_migration(ID, "conduct", DESCRIPTION, TABLES)
