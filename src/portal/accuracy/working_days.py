"""Working days for deadlines: weekdays that are not bank holidays in England and Wales.

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
ACCURACY_CHECK_WORKING_DAYS = 5


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


def local(moment: datetime) -> datetime:
    """`moment` in UK time (a naive datetime is taken as UTC, as the database stores it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON)


def due_at(published_at: datetime, working_days: int = ACCURACY_CHECK_WORKING_DAYS) -> datetime:
    """The end (5pm UK time) of the `working_days`th working day after publication, in UTC."""
    published_on = local(published_at).date()
    due_day = add_working_days(published_on, working_days)
    return datetime.combine(due_day, DAY_ENDS_AT, tzinfo=LONDON).astimezone(UTC)


def due_text(moment: datetime) -> str:
    """'5pm on Friday 4 December 2026' (GOV.UK style) for a deadline."""
    when = local(moment)
    hour = when.hour % 12 or 12
    suffix = "am" if when.hour < 12 else "pm"
    clock = f"{hour}{suffix}" if when.minute == 0 else f"{hour}:{when:%M}{suffix}"
    if when.hour == 12 and when.minute == 0:
        clock = "midday"
    return f"{clock} on {when:%A} {when.day} {when:%B %Y}"
