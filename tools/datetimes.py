"""Dates and times as callers say them, and as the clinic's tools take them.

Tools take ISO dates (``YYYY-MM-DD``) and 24-hour times (``HH:MM``) in the clinic's local
time zone and store instants in UTC. This module resolves what the caller said
("next Tuesday morning", "quarter past 4") to those values and converts between local time
and UTC across daylight-saving changes. The resolvers never raise on odd input; they return
None when the text names no date or time. Their conventions are documented in
:mod:`tools.spoken.dates` and :mod:`tools.spoken.times`.

Errors::

    DateTimeError (ValueError)
    ├── UnknownTimeZoneError       the clinic's time zone name is not in the tz database
    └── NonexistentLocalTimeError  the local time is skipped by a spring-forward change
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tools.spoken.dates import DateResolution, resolve_date
from tools.spoken.times import TimeResolution, resolve_time

__all__ = [
    "DateResolution",
    "DateTimeError",
    "DateTimeResolution",
    "NonexistentLocalTimeError",
    "TimeResolution",
    "UnknownTimeZoneError",
    "clinic_today",
    "is_ambiguous_local_time",
    "local_to_utc",
    "resolve_date",
    "resolve_date_time",
    "resolve_time",
    "speak_date",
    "speak_time",
    "utc_to_local",
]


class DateTimeError(ValueError):
    """A date or time that cannot be placed on the clinic's calendar."""


class UnknownTimeZoneError(DateTimeError):
    """The time zone name is not in the tz database."""


class NonexistentLocalTimeError(DateTimeError):
    """The local time does not exist because the clocks skip over it that day."""


@dataclass(frozen=True)
class DateTimeResolution:
    """A date and a time of day found together in what the caller said.

    Attributes:
        date: The date or date range, if one was said.
        time: The time or window of times, if one was said.
        starts_at: The instant in UTC when both are exact and the local time exists.
    """

    date: DateResolution | None
    time: TimeResolution | None
    starts_at: datetime | None = None


def zone(tz: str) -> ZoneInfo:
    """Return the tz database zone named ``tz``, such as "America/New_York".

    Raises:
        UnknownTimeZoneError: When no such zone exists.
    """
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownTimeZoneError(
            f"Unknown time zone {tz!r}; use a tz database name such as 'America/New_York'."
        ) from error


def clinic_today(tz: str, *, now: datetime | None = None) -> date:
    """Return today's date in the clinic's time zone.

    Args:
        tz: The clinic's tz database zone name.
        now: The current instant (timezone-aware); defaults to the system clock.
    """
    return (now or datetime.now(UTC)).astimezone(zone(tz)).date()


def local_to_utc(d: date, t: time, tz: str, *, fold: Literal[0, 1] = 0) -> datetime:
    """Convert a wall-clock date and time in ``tz`` to an aware UTC datetime.

    On a fall-back day a local time such as 01:30 happens twice. ``fold=0`` picks the first
    occurrence (still on daylight time) and ``fold=1`` the second, as in PEP 495.

    Args:
        d: The local date.
        t: The local wall-clock time; its own tzinfo and fold are ignored.
        tz: The clinic's tz database zone name.
        fold: Which occurrence of an ambiguous local time to use.

    Returns:
        The instant in UTC.

    Raises:
        NonexistentLocalTimeError: When the clocks skip ``t`` on ``d`` (spring forward).
        UnknownTimeZoneError: When ``tz`` is not a known zone.
    """
    clinic_zone = zone(tz)
    wall = datetime.combine(d, t.replace(tzinfo=None, fold=0))
    local = wall.replace(tzinfo=clinic_zone, fold=fold)
    instant = local.astimezone(UTC)
    if instant.astimezone(clinic_zone).replace(tzinfo=None) != wall:
        raise NonexistentLocalTimeError(
            f"{d.isoformat()} {t.strftime('%H:%M')} does not exist in {tz}: the clocks skip "
            "it when daylight saving time starts. Offer a time an hour later instead."
        )
    return instant


def utc_to_local(instant: datetime, tz: str) -> datetime:
    """Convert an aware datetime to the clinic's local wall-clock time.

    Args:
        instant: A timezone-aware datetime, normally in UTC.
        tz: The clinic's tz database zone name.

    Returns:
        The aware local datetime. Its ``fold`` distinguishes the two 01:30s of a fall-back day.

    Raises:
        ValueError: When ``instant`` is naive, because its instant would be a guess.
        UnknownTimeZoneError: When ``tz`` is not a known zone.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(
            f"Cannot convert the naive datetime {instant.isoformat()}; attach tzinfo=UTC first."
        )
    return instant.astimezone(zone(tz))


def is_ambiguous_local_time(d: date, t: time, tz: str) -> bool:
    """Return True if ``t`` on ``d`` happens twice in ``tz`` because the clocks fall back."""
    clinic_zone = zone(tz)
    wall = datetime.combine(d, t.replace(tzinfo=None))
    first = wall.replace(tzinfo=clinic_zone, fold=0).utcoffset()
    second = wall.replace(tzinfo=clinic_zone, fold=1).utcoffset()
    if first == second:
        return False
    # A skipped time also has two offsets; only a time that exists is ambiguous.
    try:
        local_to_utc(d, t, tz)
    except NonexistentLocalTimeError:
        return False
    return True


def resolve_date_time(text: str, *, today: date, tz: str) -> DateTimeResolution | None:
    """Find the date and the time of day the caller means in ``text``.

    "this afternoon" and "tonight" give both today and a window of times.

    Args:
        text: What the caller said, as transcribed.
        today: Today's date in the clinic's time zone.
        tz: The clinic's tz database zone name, used to place an exact date and time.

    Returns:
        The resolution, or None when ``text`` names neither a date nor a time.

    Raises:
        UnknownTimeZoneError: When ``tz`` is not a known zone.
    """
    clinic_zone = zone(tz)
    found_date = resolve_date(text, today=today)
    found_time = resolve_time(text)
    if found_date is None and found_time is None:
        return None
    starts_at = None
    if found_date and found_time and not found_date.is_range and not found_time.is_window:
        try:
            starts_at = local_to_utc(found_date.start, found_time.start, clinic_zone.key)
        except NonexistentLocalTimeError:
            # A skipped hour names no instant; the caller is asked for another time.
            starts_at = None
    return DateTimeResolution(found_date, found_time, starts_at)


def speak_date(d: date) -> str:
    """Format ``d`` for a spoken read-back: "Tuesday, March 10"."""
    return f"{d:%A}, {d:%B} {d.day}"


def speak_time(t: time) -> str:
    """Format ``t`` for a spoken read-back: "9:15 AM", "4 PM", "noon" or "midnight"."""
    if t == time(12):
        return "noon"
    if t == time(0):
        return "midnight"
    hour = t.hour % 12 or 12
    clock = str(hour) if t.minute == 0 else f"{hour}:{t.minute:02d}"
    return f"{clock} {'AM' if t.hour < 12 else 'PM'}"
