"""conduct tables: what the code of conduct asks the portal to record, each row with
who and when. Rows are only ever added (a concern is never edited or deleted; a
response or an answer is written once)."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.db.tables import Event, User


class ConductReading(Table, tablename="conduct_reading"):
    """A provider user confirmed they have read the code of conduct for this event."""

    event = ForeignKey(references=Event, index=True)
    user = ForeignKey(references=User)
    read_at = Timestamptz(default=TimestamptzNow())


class Concern(Table, tablename="concern"):
    """A provider's concern that the team has not acted in line with the code, and the
    lead inspector's response. A follow-up is a new concern pointing at the first."""

    event = ForeignKey(references=Event, index=True)
    raised_by = ForeignKey(references=User)
    raised_at = Timestamptz(default=TimestamptzNow())
    text = Text()
    follow_up_of = Integer(null=True, default=None)
    response = Text(default="")
    action_taken = Text(default="")
    responded_by = ForeignKey(references=User, null=True)
    responded_at = Timestamptz(null=True, default=None)


class EvidenceConfirmation(Table, tablename="evidence_confirmation"):
    """An inspector asks the provider to confirm they have provided, or given access to,
    all relevant evidence; the provider confirms or says what is still outstanding."""

    event = ForeignKey(references=Event, index=True)
    requested_by = ForeignKey(references=User)
    requested_at = Timestamptz(default=TimestamptzNow())
    message = Text(default="")
    answer = Varchar(length=20, default="")  # "" (waiting) | all_provided | outstanding
    outstanding = Text(default="")  # what is still outstanding, in the provider's words
    answered_by = ForeignKey(references=User, null=True)
    answered_at = Timestamptz(null=True, default=None)
