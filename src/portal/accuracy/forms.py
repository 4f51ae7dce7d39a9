"""The factual accuracy check form: parse the posted answers and check them.

'Save and come back later' (and saving as you type) only checks the length, so a
half-written comment is always kept; 'Done' checks that the answers are complete."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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


def parse(data: Mapping[str, str]) -> Answers:
    choice = (data.get("wants_to_comment") or "").strip().lower()
    comments = (data.get("comments") or "").replace("\r\n", "\n")
    return Answers(
        wants_to_comment=choice if choice in ANSWERS else "",
        confirmed=(data.get("confirmed") or "") == "yes",
        # Trailing spaces and blank lines are noise; leading indentation may be meant.
        comments=comments.rstrip(),
    )


def length_errors(answers: Answers) -> dict[str, str]:
    if len(answers.comments) > MAX_COMMENTS:
        return {"comments": f"Comments must be {MAX_COMMENTS:,} characters or fewer"}
    return {}


def done_errors(answers: Answers) -> dict[str, str]:
    """In the order of the fields on the page."""
    errors: dict[str, str] = {}
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
