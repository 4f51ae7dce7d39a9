"""The factual accuracy check form: parse the posted answers and check them.

'Save and come back later' (and saving as you type) only checks the length, so a
half-written comment is always kept; 'Done' checks that the answers are complete."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.clock import format_datetime
from portal.validation import Errors, Parsed

MAX_COMMENTS = 20_000
ANSWERS = {"yes": "Yes", "no": "No"}

QUESTION = "Do you wish to make any comments about the factual accuracy of the report?"
CONFIRMATION = "I confirm that I have entered all my comments on the draft report"


@dataclass(frozen=True)
class Answers:
    wants_to_comment: str = ""  # "" | "yes" | "no"
    confirmed: bool = False
    comments: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.wants_to_comment or self.confirmed or self.comments.strip())


def parse(data: Mapping[str, str]) -> Parsed[Answers]:
    """The answers as typed, and what stops them being saved at all (only the length:
    a half-written answer is always kept; `done_errors` says what 'Done' needs)."""
    choice = (data.get("wants_to_comment") or "").strip().lower()
    comments = (data.get("comments") or "").replace("\r\n", "\n")
    answers = Answers(
        wants_to_comment=choice if choice in ANSWERS else "",
        confirmed=(data.get("confirmed") or "") == "yes",
        # Trailing spaces and blank lines are noise; leading indentation may be meant.
        comments=comments.rstrip(),
    )
    return Parsed(answers, length_errors(answers))


def seen_version(data: Mapping[str, str]) -> int | None:
    """The version of the answers the form was showing (None from a form without one)."""
    value = (data.get("version") or "").strip()
    return int(value) if value.isdigit() else None


OVERLAP_FIELD = "saved-by-colleague"  # the colleague's answers, shown above the form


def overlap_message(found: Any) -> str:
    if found.by_you:
        return (
            f"You saved changes to this check in another tab or window {_when(found.at)}, "
            "after you opened this page. Your answers here have not been saved: compare "
            "them with the ones saved there, then save again"
        )
    return (
        f"{found.name} saved changes to this check {_when(found.at)}, after you opened this "
        "page. Your answers have not been saved: compare them with theirs, then save again"
    )


def overlap_short(found: Any) -> str:
    who = (
        "You saved changes in another tab or window"
        if found.by_you
        else (f"{found.name} saved changes")
    )
    return f"{who} {_when(found.at)}. Select ‘Save and come back later’ to compare them with yours"


def _when(at: datetime | None) -> str:
    return f"on {format_datetime(at)}" if at else "just now"


def length_errors(answers: Answers) -> Errors:
    if len(answers.comments) > MAX_COMMENTS:
        return {"comments": f"Comments must be {MAX_COMMENTS:,} characters or fewer"}
    return {}


def done_errors(answers: Answers) -> Errors:
    """In the order of the fields on the page."""
    errors: Errors = {}
    if not answers.wants_to_comment:
        errors["wants_to_comment"] = (
            "Select yes if you wish to make any comments about the factual accuracy of the report"
        )
    if answers.wants_to_comment == "yes" and not answers.comments.strip():
        errors["comments"] = "Enter your comments about the factual accuracy of the report"
    elif answers.wants_to_comment == "no" and answers.comments.strip():
        errors["comments"] = (
            "Delete your comments, or select yes if you wish to make comments about the "
            "factual accuracy of the report"
        )
    errors.update(length_errors(answers))
    if not answers.confirmed:
        errors["confirmed"] = "Confirm that you have entered all your comments on the draft report"
    return errors
