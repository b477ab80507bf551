"""Dates for the demo clinic: the pinned reference day, public holidays and local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEMO_TODAY = date(2026, 3, 2)
"""The Monday the demo clinic is seeded around in tests and evals.

Its 60 days of bookings cross the start of daylight saving time in New York (March 8, 2026).
"""

OPENING_OF_DAY = time(9, 0)
"""The local time of day a pinned demo clock reads: the clinic has been open for an hour."""


def demo_now(today: date, timezone: str) -> datetime:
    """Return the pinned current instant for a clinic seeded on ``today``, in UTC.

    Args:
        today: The clinic's local date.
        timezone: The clinic's IANA time zone, such as ``America/New_York``.
    """
    return local_to_utc(today, OPENING_OF_DAY, ZoneInfo(timezone))


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Convert a local wall-clock time on ``day`` in ``zone`` to an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    # US practice: a holiday on Saturday is observed on Friday, on Sunday on Monday.
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def us_holidays(year: int) -> list[tuple[date, str]]:
    """Return the US federal holidays the clinic closes for in ``year``, as observed."""
    monday, thursday = 0, 3
    thanksgiving = _nth_weekday(year, 11, thursday, 4)
    return [
        (_observed(date(year, 1, 1)), "New Year's Day"),
        (_nth_weekday(year, 1, monday, 3), "Martin Luther King Jr. Day"),
        (_nth_weekday(year, 2, monday, 3), "Presidents' Day"),
        (_last_weekday(year, 5, monday), "Memorial Day"),
        (_observed(date(year, 6, 19)), "Juneteenth"),
        (_observed(date(year, 7, 4)), "Independence Day"),
        (_nth_weekday(year, 9, monday, 1), "Labor Day"),
        (thanksgiving, "Thanksgiving Day"),
        (thanksgiving + timedelta(days=1), "Day after Thanksgiving"),
        (_observed(date(year, 12, 25)), "Christmas Day"),
    ]


def next_weekday(day: date, weekday: int) -> date:
    """Return the first date on or after ``day`` that falls on ``weekday`` (0 is Monday)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)
