"""accuracy tables: one factual accuracy check per event."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from portal.db.tables import Document, Event, User


class AccuracyCheck(Table, tablename="accuracy_check"):
    """Opened when a draft report is published; the provider saves it as often as they
    like and completes it once ('Done'), after which it never changes."""

    event = ForeignKey(references=Event, unique=True)
    opened_at = Timestamptz()
    due_at = Timestamptz()  # 5pm on the fifth working day after publication
    extended_due_at = Timestamptz(null=True, default=None)  # set by the administrator
    extended_by = ForeignKey(references=User, null=True)
    wants_to_comment = Varchar(length=3, default="")  # "" | "yes" | "no"
    confirmed = Boolean(default=False)
    comments = Text(default="")
    status = Varchar(length=20, default="not_started")  # not_started | in_progress | completed
    version = Integer(default=0)  # +1 on every change of the answers
    updated_at = Timestamptz(null=True, default=None)
    updated_by = ForeignKey(references=User, null=True)
    completed_at = Timestamptz(null=True, default=None)
    completed_by = ForeignKey(references=User, null=True)
    # The reminder a working day before the deadline: the deadline it was about (one
    # reminder per deadline, an extended one gets its own) and when it was queued.
    reminded_for = Timestamptz(null=True, default=None)
    reminded_at = Timestamptz(null=True, default=None)
    # The version of the draft report the check is about: set when it opens, moved to a
    # newer version while it is open, kept once completed.
    report_document = ForeignKey(references=Document, null=True, on_delete=OnDelete.restrict)
