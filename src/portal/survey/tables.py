"""survey tables: one response per event, changed by whoever saves it last."""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.db.tables import Event, User


class SurveyResponse(Table, tablename="survey_response"):
    event = ForeignKey(references=Event, unique=True, index=True, null=False)
    # {statement key: rating key}, keys from portal.survey.questions; unanswered left out.
    ratings = JSON(default={})
    most_1 = Varchar(length=40, default="")
    most_2 = Varchar(length=40, default="")
    most_3 = Varchar(length=40, default="")
    least_1 = Varchar(length=40, default="")
    least_2 = Varchar(length=40, default="")
    least_3 = Varchar(length=40, default="")
    why = Text(default="")
    improve = Text(default="")
    # True once a save holds at least one answer: what inspectors may know.
    submitted = Boolean(default=False)
    saved_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    saved_at = Timestamptz(default=TimestamptzNow())
