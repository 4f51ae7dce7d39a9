"""receipts tables: one row per submission, with the reference a provider can quote."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.db.tables import Event, User


class Submission(Table, tablename="submission"):
    """What was submitted on an event, by whom and when, as it was at that moment."""

    event = ForeignKey(references=Event, index=True, null=False)
    kind = Varchar(length=20)  # one of portal.receipts.service.KINDS
    reference = Varchar(length=12, unique=True)  # PP-XXXX-XXXX
    actor = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    at = Timestamptz(default=TimestamptzNow())
    summary = Text(default="")
    details = JSON(default={})  # {"files": [{"name", "size", "sha256"}], ...}
