"""documents tables: the receipt of each Save (the documents themselves are core
tables in portal.db, since the profile and the accuracy check read them)."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.db.tables import Event, User


class SaveReceipt(Table, tablename="document_save_receipt"):
    """What one Save made live and deleted, as it was at that moment: each file's id,
    name, size and SHA-256, so the user can check the portal holds what they sent."""

    event = ForeignKey(references=Event, index=True)
    side = Varchar(length=10)  # ofsted | provider
    saved_by = ForeignKey(references=User, index=True)
    saved_at = Timestamptz(default=TimestamptzNow())
    uploaded = JSON(default=[])  # [{"id", "file_name", "size", "sha256"}, ...]
    deleted = JSON(default=[])
