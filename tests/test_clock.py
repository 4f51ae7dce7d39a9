"""UK time and working days. The accuracy check's deadline: 5pm on the fifth working day after the draft report is published,
skipping weekends and England and Wales bank holidays, counted in UK time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.clock import (
    LONDON,
    add_working_days,
    due_after_working_days,
    format_date,
    format_date_range,
    format_datetime,
    format_duration,
    is_bank_holiday,
    is_working_day,
)
from portal.clock import format_deadline as due_text


def due_at(published: datetime) -> datetime:
    return due_after_working_days(published, 5)


def uk(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def test_a_plain_week_ends_on_the_fifth_weekday() -> None:
    # Friday 27 November 2026 → Monday 30 ... Friday 4 December
    assert due_at(uk(2026, 11, 27)) == uk(2026, 12, 4, 17).astimezone(UTC)
    assert due_text(due_at(uk(2026, 11, 27))) == "5pm on Friday 4 December 2026"


def test_weekends_are_skipped() -> None:
    # Wednesday 18 November 2026: Thu, Fri, (Sat, Sun), Mon, Tue, Wed 25
    assert add_working_days(date(2026, 11, 18), 5) == date(2026, 11, 25)
    # Published on a Saturday: counting starts on Monday.
    assert add_working_days(date(2026, 11, 21), 5) == date(2026, 11, 27)
    assert not is_working_day(date(2026, 11, 21))
    assert not is_working_day(date(2026, 11, 22))


def test_christmas_boxing_day_and_the_substitute_day_are_skipped() -> None:
    # 2026: Christmas Day is a Friday, Boxing Day a Saturday, so Monday 28 December is
    # the substitute bank holiday.
    assert is_bank_holiday(date(2026, 12, 25))
    assert is_bank_holiday(date(2026, 12, 28))
    assert not is_working_day(date(2026, 12, 28))
    # Published Wednesday 23 December: Thu 24, (Fri 25, Sat, Sun, Mon 28), Tue 29,
    # Wed 30, Thu 31, (Fri 1 January: New Year's Day), Mon 4 January 2027.
    assert due_text(due_at(uk(2026, 12, 23))) == "5pm on Monday 4 January 2027"


def test_2027_has_two_substitute_days_after_a_weekend_christmas() -> None:
    # Christmas Day 2027 is a Saturday, Boxing Day a Sunday: Monday 27 and Tuesday 28.
    assert is_bank_holiday(date(2027, 12, 27)) and is_bank_holiday(date(2027, 12, 28))
    # Friday 24 December 2027 → Wed 29, Thu 30, Fri 31, (Sat, Sun, Mon 3 Jan 2028
    # substitute for New Year's Day on a Saturday), Tue 4, Wed 5 January.
    assert add_working_days(date(2027, 12, 24), 5) == date(2028, 1, 5)


def test_good_friday_and_easter_monday_are_skipped() -> None:
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
    assert is_bank_holiday(date(2027, 3, 26)) and is_bank_holiday(date(2027, 3, 29))
    # Published Wednesday 24 March 2027: Thu 25, (Fri 26, Sat, Sun, Mon 29), Tue 30,
    # Wed 31, Thu 1 April, Fri 2 April.
    assert due_text(due_at(uk(2027, 3, 24))) == "5pm on Friday 2 April 2027"
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    assert add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 13)


def test_scottish_only_holidays_are_working_days() -> None:
    # 2 January and St Andrew's Day are Scottish bank holidays, not English or Welsh.
    assert is_working_day(date(2026, 11, 30))
    assert is_working_day(date(2026, 1, 2))


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        # 23:59 on Monday 16 November 2026 (GMT) counts from that Monday.
        (uk(2026, 11, 16, 23, 59), "5pm on Monday 23 November 2026"),
        # 23:59 on Monday 15 June 2026 in summer time (22:59 UTC) still counts Monday.
        (uk(2026, 6, 15, 23, 59), "5pm on Monday 22 June 2026"),
        # 00:30 on Tuesday 16 June in summer time is 23:30 UTC on Monday: it is Tuesday.
        (datetime(2026, 6, 15, 23, 30, tzinfo=UTC), "5pm on Tuesday 23 June 2026"),
    ],
)
def test_a_late_publication_counts_from_its_uk_date(published: datetime, expected: str) -> None:
    assert due_text(due_at(published)) == expected


def test_the_deadline_is_5pm_uk_time_in_utc() -> None:
    # Summer time: 5pm BST is 16:00 UTC.
    assert due_at(uk(2026, 6, 15)) == datetime(2026, 6, 22, 16, 0, tzinfo=UTC)
    # Naive datetimes are UTC, as the database gives them back.
    assert due_at(datetime(2026, 11, 27, 10, 0)) == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


def test_dates_and_times_read_as_govuk_writes_them() -> None:
    assert format_date(date(2026, 12, 4)) == "4 December 2026"
    assert format_datetime(datetime(2026, 12, 4, 15, 5, tzinfo=UTC)) == "4 December 2026 at 3:05pm"
    # Summer time: 11:00 UTC is noon in London.
    assert format_datetime(datetime(2026, 6, 4, 11, 0, tzinfo=UTC)) == "4 June 2026 at 12:00pm"
    assert due_text(datetime(2026, 6, 4, 11, 0, tzinfo=UTC)) == "midday on Thursday 4 June 2026"
    # Naive datetimes are UTC, as SQLite gives them back.
    assert format_datetime(datetime(2026, 12, 4, 0, 30)) == "4 December 2026 at 12:30am"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 12, 12), date(2026, 12, 12), "12 December 2026"),  # one day: once
        (date(2026, 12, 12), date(2026, 12, 14), "12 to 14 December 2026"),
        (date(2026, 11, 28), date(2026, 12, 2), "28 November to 2 December 2026"),
        (date(2026, 12, 30), date(2027, 1, 2), "30 December 2026 to 2 January 2027"),
    ],
)
def test_an_events_dates_read_as_govuk_writes_a_range(
    start: date, end: date, expected: str
) -> None:
    assert format_date_range(start, end) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (43_200, "12 hours"),
        (3600, "1 hour"),
        (1800, "30 minutes"),
        (60, "1 minute"),
        (45, "45 seconds"),
    ],
)
def test_a_duration_reads_in_its_largest_whole_unit(seconds: int, expected: str) -> None:
    assert format_duration(seconds) == expected
