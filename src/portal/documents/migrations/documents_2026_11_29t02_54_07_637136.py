"""This app's tables raise their event's version (portal.db.versioning)."""

from portal.db import versioning

ID = "2026-11-29T02:54:07:637136"
VERSION = "1.38.0"
DESCRIPTION = "event version triggers"
TABLES = ("document_save_receipt",)


async def forwards():
    return versioning.triggers_migration(ID, "documents", DESCRIPTION, TABLES)
