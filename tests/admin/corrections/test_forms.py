"""The corrections' forms: what is parsed, and each error next to its field."""

from __future__ import annotations

from datetime import date

from portal.admin import forms


def _dates(**fields: str) -> dict[str, str]:
    return {
        "event_type": "visit",
        "start-day": "8",
        "start-month": "12",
        "start-year": "2026",
        "end-day": "8",
        "end-month": "12",
        "end-year": "2026",
    } | fields


def test_event_details_parses_a_one_day_event() -> None:
    parsed = forms.event_details(_dates())
    assert parsed.ok
    assert parsed.values["start_date"] == parsed.values["end_date"] == date(2026, 12, 8)


def test_event_details_refuses_an_end_before_the_start() -> None:
    parsed = forms.event_details(_dates(**{"end-day": "7"}))
    assert parsed.errors == {"end-day": "The end date must be the same as or after the start date"}
    assert parsed.values["end-day"] == "7"  # shown again as typed


def test_event_details_needs_a_type_and_real_dates() -> None:
    parsed = forms.event_details(_dates(event_type="party", **{"start-month": "13"}))
    assert parsed.errors == {
        "event_type": "Select the type of event",
        "start-day": "Start date must be a real date",
    }


def test_user_details_needs_a_name_and_an_email() -> None:
    parsed = forms.user_details({"display_name": " ", "email": ""})
    assert parsed.errors == {
        "display_name": "Enter the person’s name",
        "email": "Enter an email address",
    }
    long = forms.user_details({"display_name": "x" * 201, "email": "a@b.org"})
    assert long.errors == {"display_name": "The name must be 200 characters or fewer"}
