"""Time in one place: UK time, the database's UTC, the GOV.UK date formats, and
deadlines counted in working days (weekends and England and Wales bank holidays).

The bank holidays come from the maintained `holidays` package (offline, updated with
each release, substitute days included), never from a hand-typed list that expires.
Dates are counted in UK time: a draft published at 23:59 on a Monday counts from that
Monday, whatever the offset from UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
DAY_ENDS_AT = time(17, 0)  # "Due by 5pm": the end of the working day


def now() -> datetime:
    """The current moment, aware, in UTC (as the database stores it)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the UK."""
    return now().astimezone(LONDON).date()


def aware(moment: datetime | None) -> datetime | None:
    """A naive datetime is taken as UTC (SQLite hands timestamps back without a zone)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def local(moment: datetime) -> datetime:
    """`moment` in UK time (a naive datetime is taken as UTC, as the database stores it)."""
    return (
        moment.replace(tzinfo=UTC).astimezone(LONDON)
        if moment.tzinfo is None
        else moment.astimezone(LONDON)
    )


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in the UK (for date filters)."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def end_of_working_day(day: date) -> datetime:
    """5pm UK time on `day`: when a deadline on that day falls due."""
    return datetime.combine(day, DAY_ENDS_AT, tzinfo=LONDON)


# Working days -------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share their bank holidays; the package's subdivision for both is
    # "ENG" (its "WLS" gives the same days).
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: date, count: int) -> date:
    """The `count`th working day after `start` (`start` itself is never counted)."""
    day = start
    counted = 0
    while counted < count:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def due_after_working_days(published_at: datetime, working_days: int) -> datetime:
    """The end (5pm UK time) of the `working_days`th working day after `published_at`, in UTC."""
    published_on = local(published_at).date()
    return end_of_working_day(add_working_days(published_on, working_days)).astimezone(UTC)


# Formats (GOV.UK style) ----------------------------------------------------------------


def format_date(value: date | datetime | None) -> str:
    """'4 December 2026' (no leading zero, month in full)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return f"{value.day} {value:%B %Y}"


def format_date_range(start: date | None, end: date | None) -> str:
    """An event's dates as GOV.UK writes a range: "12 December 2026" for one day,
    "12 to 14 December 2026", "28 November to 2 December 2026", and the year twice only
    when it changes ("30 December 2026 to 2 January 2027"). "to", never a dash."""
    if start is None or end is None or start == end:
        return format_date(start or end)
    if start.year != end.year:
        return f"{format_date(start)} to {format_date(end)}"
    if start.month != end.month:
        return f"{start.day} {start:%B} to {format_date(end)}"
    return f"{start.day} to {format_date(end)}"


def format_duration(seconds: int) -> str:
    """How long, in words: "12 hours", "30 minutes", "1 minute", "45 seconds"."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def format_time(value: datetime, *, short: bool = False) -> str:
    """'3:05pm' in UK time; with `short`, '5pm' on the hour and 'midday' at noon."""
    when = local(value)
    hour = when.hour % 12 or 12
    suffix = "am" if when.hour < 12 else "pm"
    if short and when.minute == 0:
        return "midday" if when.hour == 12 else f"{hour}{suffix}"
    return f"{hour}:{when:%M}{suffix}"


def format_datetime(value: datetime | None) -> str:
    """'4 December 2026 at 3:05pm' in UK time."""
    if value is None:
        return ""
    return f"{format_date(value)} at {format_time(value)}"


def format_deadline(moment: datetime) -> str:
    """'5pm on Friday 4 December 2026' for a deadline."""
    when = local(moment)
    return f"{format_time(when, short=True)} on {when:%A} {when.day} {when:%B %Y}"
