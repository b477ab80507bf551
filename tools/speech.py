"""Phrases the receptionist speaks: dates, times, money and lists written for text-to-speech.

Everything returns plain words and digits that a TTS voice reads naturally ("Tuesday,
March 10 at 9:15 AM", "$25", "Dr. Patel and Dr. Kim"), never ISO strings or symbols it
would spell out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time

from tools.datetimes import speak_date, speak_time


def spoken_date(day: date, *, with_year: bool = False) -> str:
    """Format a date as "Tuesday, March 10" (or "Tuesday, March 10, 2026")."""
    text = speak_date(day)
    return f"{text}, {day.year}" if with_year else text


def spoken_calendar_date(day: date) -> str:
    """Format a date with its year and no weekday, as for a birth date: "January 1, 1990"."""
    return f"{day:%B} {day.day}, {day.year}"


def spoken_time(moment: time | datetime) -> str:
    """Format a time of day as "9 AM", "9:15 AM", "noon" or "midnight"."""
    clock = moment.time() if isinstance(moment, datetime) else moment.replace(tzinfo=None)
    return speak_time(clock.replace(second=0, microsecond=0))


def spoken_datetime(moment: datetime) -> str:
    """Format a local date and time as "Tuesday, March 10 at 9:15 AM"."""
    return f"{spoken_date(moment.date())} at {spoken_time(moment)}"


def spoken_time_range(start: time, end: time) -> str:
    """Format opening hours as "8 AM to 5 PM"."""
    return f"{spoken_time(start)} to {spoken_time(end)}"


def spoken_money(cents: int) -> str:
    """Format an amount as "$25", "$25.50" or "no charge" for zero."""
    if cents == 0:
        return "no charge"
    dollars, rest = divmod(abs(cents), 100)
    sign = "minus " if cents < 0 else ""
    if rest == 0:
        return f"{sign}${dollars:,}"
    return f"{sign}${dollars:,}.{rest:02d}"


def spoken_duration(minutes: int) -> str:
    """Format a visit length as an adjective: "20-minute", "1-hour", "90-minute"."""
    if minutes == 60:
        return "1-hour"
    return f"{minutes}-minute"


def spoken_list(items: Sequence[str], *, conjunction: str = "and") -> str:
    """Join items as "a", "a and b" or "a, b and c"."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def spoken_phone(number: str) -> str:
    """Format a North American number as "802-555-0100"; others are returned as given."""
    digits = re.sub(r"\D", "", number)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return number
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def spoken_count(count: int, noun: str, plural: str | None = None) -> str:
    """Format a count with its noun: "1 opening", "3 openings"."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {plural or noun + 's'}"


_UNITS = {"mg": "milligrams", "mcg": "micrograms", "ml": "milliliters", "g": "grams"}


def spoken_units(text: str) -> str:
    """Spell out dose units for speech: "10 mg" becomes "10 milligrams"."""
    return re.sub(
        r"\b(\d+(?:\.\d+)?)\s*(mg|mcg|ml|g)\b",
        lambda m: f"{m.group(1)} {_UNITS[m.group(2).lower()]}",
        text,
        flags=re.IGNORECASE,
    )


def with_article(phrase: str) -> str:
    """Prefix "a" or "an" as the phrase is spoken: "an annual physical", "an 8-minute visit"."""
    first = phrase.split(" ", 1)[0].split("-", 1)[0].lower()
    if first.isdigit():
        spoken_an = first.startswith("8") or first in {"11", "18"} or first.startswith("18")
        vowel_sound = spoken_an and not (len(first) == 3 and first.startswith("1"))
    else:
        vowel_sound = first[:1] in {"a", "e", "i", "o"} or first.startswith(("hour", "honest"))
    return f"{'an' if vowel_sound else 'a'} {phrase}"
