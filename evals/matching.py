"""Compare one observed value (a database field, a tool argument) with a scenario's matcher."""

from __future__ import annotations

import enum
import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from evals.scenario import Matcher, MatchSpec


def _as_text(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _parse_local(text: str, timezone: ZoneInfo) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone)
    return parsed


def _equal(expected: str | bool | int | float | None, actual: Any, timezone: ZoneInfo) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) and isinstance(actual, bool):
        return expected == actual
    if isinstance(expected, bool) or isinstance(actual, bool):
        # A bool only equals another bool, or its spelling in a string argument ("true").
        return str(expected).strip().casefold() == str(actual).strip().casefold()
    if isinstance(actual, datetime) and isinstance(expected, str):
        wanted = _parse_local(expected, timezone)
        return wanted is not None and wanted == actual
    if isinstance(actual, date) and isinstance(expected, str):
        return actual.isoformat() == expected.strip()
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    return _as_text(actual).strip().casefold() == str(expected).strip().casefold()


def _in_local_window(expected: MatchSpec, actual: Any, timezone: ZoneInfo) -> bool:
    if isinstance(actual, str):
        parsed = _parse_local(actual, timezone)
        if parsed is None:
            return False
        actual = parsed
    if not isinstance(actual, datetime):
        return False
    local = actual.astimezone(timezone) if actual.tzinfo else actual
    if expected.local_date is not None and local.date() != expected.local_date:
        return False
    if expected.local_hours is not None:
        start, end = (time.fromisoformat(part) for part in expected.local_hours.split("-"))
        if not start <= local.time() < end:
            return False
    return True


def matches(expected: Matcher, actual: Any, *, timezone: ZoneInfo) -> bool:
    """Whether ``actual`` satisfies ``expected``.

    Plain strings compare case-insensitively; a string against a datetime is read as local
    clinic time (``"2026-03-10 09:15"``); ``regex`` and ``contains`` are case-insensitive and
    apply to the value's text.
    """
    if not isinstance(expected, MatchSpec):
        return _equal(expected, actual, timezone)
    if expected.present is not None:
        return (actual is not None and actual != "") == expected.present
    if actual is None:
        return False
    if expected.local_date is not None or expected.local_hours is not None:
        return _in_local_window(expected, actual, timezone)
    text = _as_text(actual)
    if expected.regex is not None:
        return re.search(expected.regex, text, re.IGNORECASE) is not None
    if expected.contains is not None:
        return expected.contains.casefold() in text.casefold()
    assert expected.one_of is not None
    return any(_equal(option, actual, timezone) for option in expected.one_of)


def describe(expected: Matcher) -> str:
    """Return the matcher as a short text for failure messages."""
    if isinstance(expected, MatchSpec):
        for key in ("regex", "contains", "one_of", "present", "local_date", "local_hours"):
            value = getattr(expected, key)
            if value is not None:
                return f"{key} {value!r}"
    return repr(expected)
