"""Parse and check the survey form. Every field is optional; what can be wrong is a
value that is not on the list, the same activity chosen twice (in one list or in
both), or text that is too long. `parse` returns the answers and their errors
({field_id: message} in page order) as a `Parsed`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from portal.survey.questions import (
    ACTIVITIES,
    ACTIVITY_FIELDS,
    MOST,
    RATINGS,
    STATEMENTS,
    TEXT_LIMIT,
)
from portal.validation import Errors, Parsed


def rating_field(statement_key: str) -> str:
    """The form field (and element id) of a statement's radio group."""
    return f"rating_{statement_key}"


def activity_label(field_id: str) -> str:
    """'most_2' → 'Most useful activity 2'."""
    which, number = field_id.split("_")
    return f"{'Most' if which == 'most' else 'Least'} useful activity {number}"


TEXT_LABELS = {
    "why": "Why these activities were the most or least useful",
    "improve": "How the inspection could be improved",
}


@dataclass
class Answers:
    ratings: dict[str, str] = field(default_factory=dict)  # statement key → rating key
    activities: dict[str, str] = field(default_factory=dict)  # most_1..least_3 → activity key
    why: str = ""
    improve: str = ""

    @property
    def values(self) -> dict[str, str]:
        """Field id → value, as the form shows it."""
        result = {rating_field(key): value for key, value in self.ratings.items()}
        result.update({name: self.activities.get(name, "") for name in ACTIVITY_FIELDS})
        result["why"] = self.why
        result["improve"] = self.improve
        return result

    @property
    def answered(self) -> bool:
        return bool(
            self.ratings
            or any(self.activities.get(name) for name in ACTIVITY_FIELDS)
            or self.why.strip()
            or self.improve.strip()
        )


def _text(value: str | None) -> str:
    # Browsers send CRLF for line breaks; keep one kind so lengths count as people see them.
    return (value or "").replace("\r\n", "\n").strip()


def read(form: Mapping[str, str]) -> Answers:
    """The answers as typed, unchecked."""
    return Answers(
        ratings={
            key: form[rating_field(key)].strip()
            for key in STATEMENTS
            if (form.get(rating_field(key)) or "").strip()
        },
        activities={name: (form.get(name) or "").strip() for name in ACTIVITY_FIELDS},
        why=_text(form.get("why")),
        improve=_text(form.get("improve")),
    )


def parse(form: Mapping[str, str]) -> Parsed[Answers]:
    """The whole form: what Save stores when there are no errors."""
    typed = read(form)
    return Parsed(typed, validate(typed))


def parse_activities(form: Mapping[str, str]) -> Parsed[Answers]:
    """Only the activity menus' problems: what the page checks as they are chosen."""
    typed = read(form)
    return Parsed(typed, activity_errors(typed))


def activity_errors(answers: Answers) -> Errors:
    """Unknown or repeated activities. A repeat is reported on the later menu, naming the
    earlier one, so the first choice stands and the message says what to change."""
    errors: Errors = {}
    seen: dict[str, str] = {}  # activity key → the first field that chose it
    for name in ACTIVITY_FIELDS:
        choice = answers.activities.get(name, "")
        if not choice:
            continue
        if choice not in ACTIVITIES:
            errors[name] = f"Select {activity_label(name).lower()} from the list"
            continue
        first = seen.get(choice)
        if first is None:
            seen[choice] = name
            continue
        if (first in MOST) == (name in MOST):
            errors[name] = (
                f"{activity_label(name)} must be different from {activity_label(first).lower()}"
            )
        else:
            errors[name] = (
                f"{activity_label(name)} must be different from {activity_label(first).lower()}"
                " – an activity cannot be both most and least useful"
            )
    return errors


def validate(answers: Answers) -> Errors:
    errors: Errors = {}
    for key, statement in STATEMENTS.items():
        rating = answers.ratings.get(key)
        if rating is not None and rating not in RATINGS:
            about = statement[0].lower() + statement[1:]
            errors[rating_field(key)] = f"Select how far you agree that {about}"
    errors.update(activity_errors(answers))
    for name, label in TEXT_LABELS.items():
        if len(getattr(answers, name)) > TEXT_LIMIT:
            errors[name] = f"{label} must be {TEXT_LIMIT} characters or fewer"
    return errors
