"""This app's tables raise their event's version (portal.db.versioning)."""

from portal.db import versioning

ID = "2026-11-29T05:37:34:000000"
VERSION = "1.38.0"
DESCRIPTION = "event version triggers"
TABLES = ("submission",)


async def forwards():
    return versioning.triggers_migration(ID, "receipts", DESCRIPTION, TABLES)
