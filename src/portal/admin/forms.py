"""Parse and check the administrator's forms → `Parsed(values, errors)`.
Values are kept as typed so an invalid form comes back as the user left it; a date
field's parsed date sits beside its parts under its own key (`start_date`, `due_date`,
...), None when missing or invalid."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from portal.clock import today
from portal.db.tables import EVENT_TYPES, TEAM_ROLES
from portal.validation import Errors, Parsed

Values = dict[str, Any]


def _get(data: Mapping[str, str], name: str) -> str:
    return (data.get(name) or "").replace("\r\n", "\n").strip()


def _limit(errors: Errors, field: str, value: str, label: str, limit: int) -> None:
    if len(value) > limit and field not in errors:
        errors[field] = f"{label} must be {limit} characters or fewer"


def parse_date(
    data: Mapping[str, str],
    prefix: str,
    label: str,
    values: Values,
    errors: Errors,
    *,
    required: bool = True,
) -> date | None:
    """A govukDateInput's three fields. The error links to the first field."""
    parts = {part: _get(data, f"{prefix}-{part}") for part in ("day", "month", "year")}
    for part, value in parts.items():
        values[f"{prefix}-{part}"] = value
    if not any(parts.values()):
        if required:
            errors[f"{prefix}-day"] = f"Enter the {label.lower()}"
        return None
    missing = [part for part, value in parts.items() if not value]
    if missing:
        errors[f"{prefix}-{missing[0]}"] = f"{label} must include a {missing[0]}"
        return None
    try:
        day, month, year = int(parts["day"]), int(parts["month"]), int(parts["year"])
        if year < 1000:
            raise ValueError
        return date(year, month, day)
    except ValueError:
        errors[f"{prefix}-day"] = f"{label} must be a real date"
        return None


def provider(data: Mapping[str, str]) -> Parsed[Values]:
    values = {name: _get(data, name) for name in ("name", "urn", "address")}
    errors: Errors = {}
    if not values["name"]:
        errors["name"] = "Enter the provider’s name"
    _limit(errors, "name", values["name"], "The name", 200)
    values["urn"] = values["urn"].upper()
    if not values["urn"]:
        errors["urn"] = "Enter the unique reference number (URN)"
    elif not re.fullmatch(r"[A-Z0-9]{1,20}", values["urn"]):
        errors["urn"] = "The URN must be 1 to 20 letters and digits"
    if not values["address"]:
        errors["address"] = "Enter the provider’s address"
    _limit(errors, "address", values["address"], "The address", 1000)
    return Parsed(values, errors)


def event(data: Mapping[str, str]) -> Parsed[Values]:
    values = {name: _get(data, name).upper() for name in ("provider_urn", "event_ref")}
    errors: Errors = {}
    if not values["provider_urn"]:
        errors["provider_urn"] = "Enter the provider’s URN"
    if not values["event_ref"]:
        errors["event_ref"] = "Enter the event ID"
    elif not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{0,29}", values["event_ref"]):
        errors["event_ref"] = "The event ID must be up to 30 letters, digits and hyphens"
    details = event_details(data)  # type and dates: the same rules as a correction's
    return Parsed(values | details.values, errors | details.errors)


def event_details(data: Mapping[str, str]) -> Parsed[Values]:
    """An event's type and dates, as the administrator corrects them."""
    values: Values = {"event_type": _get(data, "event_type")}
    errors: Errors = {}
    if values["event_type"] not in EVENT_TYPES:
        errors["event_type"] = "Select the type of event"
    start = parse_date(data, "start", "Start date", values, errors)
    end = parse_date(data, "end", "End date", values, errors)
    if start and end and end < start:
        errors["end-day"] = "The end date must be the same as or after the start date"
    values["start_date"], values["end_date"] = start, end
    return Parsed(values, errors)


def team_member(data: Mapping[str, str], *, new: bool) -> Parsed[Values]:
    values = {name: _get(data, name) for name in ("username", "team_role", "pen_portrait")}
    errors: Errors = {}
    if new and not values["username"]:
        errors["username"] = "Enter the inspector’s username"
    if values["team_role"] not in TEAM_ROLES:
        errors["team_role"] = "Select the inspector’s role"
    _limit(errors, "pen_portrait", values["pen_portrait"], "The pen portrait", 2000)
    return Parsed(values, errors)


ROLES = {"provider": "Provider", "inspector": "Inspector"}


def user(data: Mapping[str, str]) -> Parsed[Values]:
    values = {
        name: _get(data, name)
        for name in ("display_name", "username", "email", "role", "provider_urn")
    }
    values["username"] = values["username"].lower()
    values["provider_urn"] = values["provider_urn"].upper()
    errors: Errors = {}
    if not values["display_name"]:
        errors["display_name"] = "Enter the person’s name"
    # An empty username is made from the name on save (auth's suggestion).
    if not values["email"]:
        errors["email"] = "Enter an email address"
    if values["role"] not in ROLES:
        errors["role"] = "Select whether this is a provider user or an inspector"
    elif values["role"] == "provider" and not values["provider_urn"]:
        errors["provider_urn"] = "Enter the URN of the provider this person works for"
    return Parsed(values, errors)


def deadline(data: Mapping[str, str]) -> Parsed[Values]:
    values: Values = {}
    errors: Errors = {}
    day = parse_date(data, "due", "The new deadline", values, errors)
    if day and day < today():
        errors["due-day"] = "The new deadline must be today or in the future"
    values["due_date"] = day
    return Parsed(values, errors)


def audit_filter(data: Mapping[str, str]) -> Parsed[Values]:
    values = {name: _get(data, name) for name in ("event_ref", "username")}
    errors: Errors = {}
    date_from = parse_date(data, "from", "From date", values, errors, required=False)
    date_to = parse_date(data, "to", "To date", values, errors, required=False)
    if date_from and date_to and date_to < date_from:
        errors["to-day"] = "The to date must be the same as or after the from date"
    values["date_from"], values["date_to"] = date_from, date_to
    return Parsed(values, errors)


def user_details(data: Mapping[str, str]) -> Parsed[Values]:
    """A person's name and email address, as the administrator corrects them (the
    address's format is auth's rule, as when the account was made)."""
    values = {name: _get(data, name) for name in ("display_name", "email")}
    errors: Errors = {}
    if not values["display_name"]:
        errors["display_name"] = "Enter the person’s name"
    _limit(errors, "display_name", values["display_name"], "The name", 200)
    if not values["email"]:
        errors["email"] = "Enter an email address"
    return Parsed(values, errors)
