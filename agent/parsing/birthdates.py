"""Dates of birth as callers say or key them, in English or Spanish.

Accepted shapes, month first as in the US: "March 15th 1984", "the fifteenth of March
nineteen eighty-four", "3/15/1984", "03-15-84", "oh three fifteen eighty four", and keypad
digits "03151984" (MMDDYYYY) or "031584" (MMDDYY). A first number above 12 with a second of
12 or less is read day first ("15/03/1984"). Spanish dates name the month: "22 de
septiembre de 1985", "veintidós de septiembre de mil novecientos ochenta y cinco", "el
primero de mayo del setenta", "septiembre 22 de 1985". A two-digit year takes the century
that puts the birthday in the past.
"""

from __future__ import annotations

import re
from datetime import date

from agent.parsing.spanish import SPANISH_MONTHS, spanish_numbers
from tools.spoken.dates import MONTHS
from tools.spoken.numbers import normalize_numbers

# Oldest plausible age in years. A date of birth further back is taken as a mishearing.
MAX_AGE_YEARS = 130

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
_DAY = r"(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b"
# "1984", "19 84" (from "nineteen eighty-four"), "84" and "'84".
_YEAR = r"(?P<year>(?:19|20)\s\d{2}|\d{4}|'?\d{2})(?!\d)"
_PATTERNS = (
    re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_DAY},?\s+(?:of\s+|in\s+)?{_YEAR}"),
    re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+(?:of\s+|in\s+)?{_YEAR}"),
    re.compile(r"\b(?P<year>\d{4})-(?P<month_number>\d{1,2})-(?P<day>\d{1,2})\b"),
    re.compile(
        r"(?<!\d)(?P<month_number>\d{1,2})\s*(?P<separator>[/.-]|\s)\s*(?P<day>\d{1,2})"
        rf"\s*(?P=separator)\s*{_YEAR}"
    ),
)
_SPANISH_MONTH = r"(?P<month_es>" + "|".join(SPANISH_MONTHS) + r")\b"
# Run on the output of spanish_numbers(): folded, with number words as digits.
_SPANISH_PATTERNS = (
    re.compile(rf"\b{_DAY}\s+de\s+{_SPANISH_MONTH},?\s+(?:de|del)\s+{_YEAR}"),
    re.compile(rf"\b{_SPANISH_MONTH}\s+{_DAY},?\s+(?:(?:de|del)\s+)?{_YEAR}"),
)


def parse_date_of_birth(text: str, *, today: date | None = None) -> date | None:
    """Parse a date of birth from what the caller said or keyed.

    Args:
        text: The caller's words or keypad digits.
        today: The clinic's today, which decides the century of a two-digit year;
            defaults to the system date.

    Returns:
        The date of birth, or None when ``text`` holds no complete, plausible date (one in
        the past and at most 130 years ago).
    """
    today = today or date.today()
    spanish = _longest_date(spanish_numbers(text), _SPANISH_PATTERNS, today)
    if spanish is not None:
        return spanish
    normalized = normalize_numbers(text).text
    found = _longest_date(normalized, _PATTERNS, today)
    if found is not None:
        return found
    return _from_keypad(normalized, today)


def _longest_date(
    normalized: str, patterns: tuple[re.Pattern[str], ...], today: date
) -> date | None:
    """Return the date of the longest plausible match of ``patterns`` in ``normalized``."""
    # The longest phrase wins: "the 15th of march 19 84" over the "march 19 84" inside it.
    best: tuple[int, int, date] | None = None
    for pattern in patterns:
        for match in pattern.finditer(normalized):
            found = _from_match(match, today)
            key = (match.end() - match.start(), -match.start())
            if found is not None and (best is None or key > best[:2]):
                best = (*key, found)
    return best[2] if best is not None else None


def _from_match(match: re.Match[str], today: date) -> date | None:
    groups = match.groupdict()
    if re.fullmatch(r"[a-z.]+\s+(?:19|20)\s\d{2}", match.group()):
        # "March nineteen eighty-four" names a month and a year, not the 19th.
        return None
    if groups.get("month"):
        month = MONTHS[groups["month"]]
    elif groups.get("month_es"):
        month = SPANISH_MONTHS[groups["month_es"]]
    else:
        month = int(groups["month_number"])
    day = int(groups["day"])
    if month > 12 and day <= 12 and groups.get("month_number"):
        month, day = day, month
    return _plausible(groups["year"], month, day, today)


def _from_keypad(normalized: str, today: date) -> date | None:
    """Read MMDDYYYY or MMDDYY from text that is only digits, however they were said."""
    if re.search(r"[^\W\d_]", normalized):
        return None
    digits = re.sub(r"\D", "", normalized)
    if len(digits) not in (6, 8):
        return None
    return _plausible(digits[4:], int(digits[:2]), int(digits[2:4]), today)


def _plausible(year_text: str, month: int, day: int, today: date) -> date | None:
    year_digits = re.sub(r"\D", "", year_text)
    if len(year_digits) == 2:
        candidate = _safe_date(2000 + int(year_digits), month, day)
        if candidate is None or candidate > today:
            candidate = _safe_date(1900 + int(year_digits), month, day)
    else:
        candidate = _safe_date(int(year_digits), month, day)
    if candidate is None or candidate > today:
        return None
    if today.year - candidate.year > MAX_AGE_YEARS:
        return None
    return candidate


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
