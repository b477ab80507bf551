"""Spoken dates ("next Tuesday", "the 3rd", "March the 8th") resolved against a given today.

Conventions, chosen to match how callers to a clinic speak:

- A bare weekday ("Tuesday", "on Tuesday", "this coming Tuesday") is the first such day
  after today; today itself is never meant.
- "this Tuesday" is the first Tuesday on or after today.
- "next Tuesday", "Tuesday next week" and "next week Tuesday" are the Tuesday of next week:
  the first Tuesday after the end of the current Monday-to-Sunday week. Said on a Monday it
  is eight days away; said on a Sunday it is two days away.
- "Tuesday this week" is the Tuesday of the current Monday-to-Sunday week, even if past.
- A day of the month without a month ("the 3rd") is this month's if that day is today or
  later, otherwise the next month that has such a day. "Tuesday the 10th" looks for the next
  10th that falls on a Tuesday, within a year.
- A month and day without a year ("January 5") is this year's if not past, else next year's.
- Ranges are inclusive: "this week" runs from today to Sunday, "next week" Monday to Sunday,
  "next month" its first to last day, "the first week of April" April 1-7, and parts of a
  month are its thirds: early (1-10), mid (11-20), late or the end (21 to the last day).
  Ranges that began before today start today.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from tools.spoken.negation import is_negated
from tools.spoken.numbers import NormalizedText, normalize_numbers

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "tues": 1, "weds": 2, "thurs": 3,
}  # fmt: skip

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
_WEEKDAY = r"(?P<weekday>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")s?\b"
_DAY_NUMBER = r"(?P<day>[12]\d|3[01]|0?[1-9])"
_DAY = _DAY_NUMBER + r"(?:st|nd|rd|th)?\b"
_ORDINAL_DAY = _DAY_NUMBER + r"(?:st|nd|rd|th)\b"
# Rejects a day number that is really a clock hour: "Tuesday 10 am", "March 8:30".
_NOT_TIME = r"(?!\s*(?:[:.]\d|am\b|pm\b|a\.m|p\.m|oclock))"
# Words after an ordinal that make it something other than a day of the month.
_NOT_A_DAY = (
    r"(?!\s+(?:1\b|one|ones|available|appointment|opening|slot|time|thing|option|choice|"
    r"visit|floor|street|st\b|avenue|ave\b|week|weekend|person|patient|doctor|dose|place|"
    r"try|attempt|call|shot|hour|minute|quarter|half|of\s+(?!(?:this|next|the)\s+month)))"
)
_COUNT = r"(?P<count>an?|\d+|a\s+couple\s+(?:of\s+)?|couple\s+of|a\s+few|few)"

_RANGE_DAYS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}
_NTH_WEEK = {"1st": 0, "2nd": 1, "3rd": 2, "4th": 3}


@dataclass(frozen=True)
class DateResolution:
    """A date or an inclusive range of dates found in what the caller said.

    Attributes:
        start: The date, or the first day of the range.
        end: Equal to ``start`` for a single date, else the last day of the range.
        span: Where the words were found in the text passed in, as ``(start, end)`` offsets.
        text: Those words.
    """

    start: date
    end: date
    span: tuple[int, int]
    text: str

    @property
    def is_range(self) -> bool:
        """Whether this is a range of several days rather than one date."""
        return self.start != self.end


_Handler = Callable[[re.Match[str], date], tuple[date, date] | None]


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    handler: _Handler


def resolve_date(text: str, *, today: date) -> DateResolution | None:
    """Find the date or date range the caller means in ``text``.

    The longest matching phrase wins, so "Thursday next week" beats "Thursday" and "the
    first week of April" beats "the first"; a negated phrase ("I can't do Thursday") loses
    to any other, and among equals the last one said wins. The conventions are in the
    module docstring.

    Args:
        text: What the caller said, as transcribed.
        today: Today's date in the clinic's time zone.

    Returns:
        The resolution, or None when ``text`` names no date.
    """
    normalized = normalize_numbers(text)
    found: list[tuple[tuple[bool, int, int, int], int, int, tuple[date, date] | None]] = []
    for priority, rule in enumerate(_RULES):
        for match in rule.pattern.finditer(normalized.text):
            # Prefer what was not negated, then the longest phrase, then the last one said
            # ("not Tuesday, Thursday"), then the earlier rule.
            negated = is_negated(normalized.text, match.start())
            key = (not negated, match.end() - match.start(), match.start(), -priority)
            found.append((key, match.start(), match.end(), rule.handler(match, today)))
    # A phrase naming no real day ("February 30th") also hides the shorter ones inside it.
    invalid = [(start, end) for _, start, end, resolved in found if resolved is None]
    valid = [
        (key, start, end, resolved)
        for key, start, end, resolved in found
        if resolved is not None
        and not any(s <= start and end <= e and e - s > end - start for s, e in invalid)
    ]
    if not valid:
        return None
    _, start, end, (first, last) = max(valid, key=lambda item: item[0])
    return _resolution(normalized, start, end, first, last)


def _resolution(
    normalized: NormalizedText, start: int, end: int, first: date, last: date
) -> DateResolution:
    source_start, source_end = normalized.source_span(start, end)
    return DateResolution(
        first, last, (source_start, source_end), normalized.source[source_start:source_end]
    )


# Calendar helpers.


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + count
    return index // 12, index % 12 + 1


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _single(day: date | None) -> tuple[date, date] | None:
    return None if day is None else (day, day)


def _clipped(first: date, last: date, today: date) -> tuple[date, date]:
    """Start a range at today when it began earlier (and still reaches today)."""
    if first < today <= last:
        return today, last
    return first, last


def _upcoming_month_day(today: date, month: int, day: int) -> date | None:
    """Return this year's ``month``/``day`` unless past, else next year's."""
    for year in (today.year, today.year + 1):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _upcoming_day_of_month(today: date, day: int, weekday: int | None = None) -> date | None:
    """Return the next date on or after today with day-of-month ``day`` (and ``weekday``)."""
    for offset in range(13):
        year, month = _add_months(today.year, today.month, offset)
        candidate = _safe_date(year, month, day)
        if candidate is None or candidate < today:
            continue
        if weekday is None or candidate.weekday() == weekday:
            return candidate
    return None if weekday is None else _upcoming_day_of_month(today, day)


def _with_year(match: re.Match[str], month: int, day: int, today: date) -> date | None:
    year_text = match.group("year")
    if year_text is None:
        return _upcoming_month_day(today, month, day)
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000
    return _safe_date(year, month, day)


def _count(match: re.Match[str]) -> int:
    text = " ".join(match.group("count").split())
    if text.isdigit():
        return int(text)
    if "couple" in text:
        return 2
    return 3 if "few" in text else 1


# Handlers, one per phrase shape.


def _iso(match: re.Match[str], today: date) -> tuple[date, date] | None:
    return _single(_safe_date(int(match["year"]), int(match["month_num"]), int(match["day"])))


def _numeric(match: re.Match[str], today: date) -> tuple[date, date] | None:
    return _single(_with_year(match, int(match["month_num"]), int(match["day"]), today))


def _month_day(match: re.Match[str], today: date) -> tuple[date, date] | None:
    return _single(_with_year(match, MONTHS[match["month"]], int(match["day"]), today))


def _day_of_named_month(match: re.Match[str], today: date) -> tuple[date, date] | None:
    day = int(match["day"])
    which = " ".join(match["which"].split())
    if which == "this":
        return _single(_safe_date(today.year, today.month, day))
    if which in ("next", "the next"):
        year, month = _add_months(today.year, today.month, 1)
        return _single(_safe_date(year, month, day))
    return _single(_upcoming_day_of_month(today, day))


def _day_only(match: re.Match[str], today: date) -> tuple[date, date] | None:
    return _single(_upcoming_day_of_month(today, int(match["day"])))


def _weekday_with_day(match: re.Match[str], today: date) -> tuple[date, date] | None:
    if match["month"]:
        return _single(_upcoming_month_day(today, MONTHS[match["month"]], int(match["day"])))
    return _single(_upcoming_day_of_month(today, int(match["day"]), WEEKDAYS[match["weekday"]]))


def _relative_day(match: re.Match[str], today: date) -> tuple[date, date] | None:
    phrase = match.group()
    if "after tomorrow" in phrase:
        return _single(today + timedelta(days=2))
    if phrase.startswith("tom") or phrase == "tmrw":
        return _single(today + timedelta(days=1))
    return _single(today)


def _weekday(match: re.Match[str], today: date) -> tuple[date, date] | None:
    weekday = WEEKDAYS[match["weekday"]]
    modifier = " ".join((match["mod"] or "").split())
    week = match["week"]
    if modifier == "next" or week == "next":
        day = _monday(today) + timedelta(days=7 + weekday)
    elif week == "this":
        day = _monday(today) + timedelta(days=weekday)
    elif modifier == "this":
        day = _on_or_after(today, weekday)
    else:
        day = _on_or_after(today + timedelta(days=1), weekday)
    if match["after_next"]:
        day += timedelta(days=7)
    return _single(day)


def _week_then_weekday(match: re.Match[str], today: date) -> tuple[date, date] | None:
    offset = 7 if match["week"] == "next" else 0
    return _single(_monday(today) + timedelta(days=offset + WEEKDAYS[match["weekday"]]))


def _in_period(match: re.Match[str], today: date) -> tuple[date, date] | None:
    count = _count(match)
    unit = match["unit"]
    if unit.startswith("month"):
        year, month = _add_months(today.year, today.month, count)
        day = min(today.day, calendar.monthrange(year, month)[1])
        return _single(date(year, month, day))
    days = count * 7 if unit.startswith("week") else count
    return _single(today + timedelta(days=days))


def _from_anchor(match: re.Match[str], today: date) -> tuple[date, date] | None:
    count = _count(match) if match["count"] else 1
    days = count * 7 if match["unit"].startswith("week") else count
    anchor = match["anchor"]
    if anchor in ("today", "now"):
        base = today
    elif anchor == "tomorrow":
        base = today + timedelta(days=1)
    elif match["anchor_mod"] == "next":
        base = _monday(today) + timedelta(days=7 + WEEKDAYS[match["weekday"]])
    else:
        base = _on_or_after(today + timedelta(days=1), WEEKDAYS[match["weekday"]])
    return _single(base + timedelta(days=days))


def _week(match: re.Match[str], today: date) -> tuple[date, date] | None:
    which = " ".join((match["which"] or "").split())
    monday = _monday(today)
    if match["after_next"]:
        monday += timedelta(days=14)
    elif which in ("next", "the following", "early next", "late next"):
        monday += timedelta(days=7)
    first, last = monday, monday + timedelta(days=6)
    if which.startswith("early"):
        last = monday + timedelta(days=2)
    elif which.startswith(("late", "the end of", "end of")):
        first = monday + timedelta(days=3)
    if last < today:
        return None
    return _clipped(first, last, today)


def _weekend(match: re.Match[str], today: date) -> tuple[date, date] | None:
    saturday = _monday(today) + timedelta(days=5)
    if match["which"] == "next":
        saturday += timedelta(days=7)
    return _clipped(saturday, saturday + timedelta(days=1), today)


def _target_month(match: re.Match[str], today: date) -> tuple[int, int, bool]:
    """Return (year, month, rolls over) for a MONTH name or "this/next month"."""
    if match["month"]:
        return today.year, MONTHS[match["month"]], True
    if match["rel_month"] == "next":
        year, month = _add_months(today.year, today.month, 1)
        return year, month, False
    return today.year, today.month, False


def _month_range(
    match: re.Match[str], today: date, first_day: int, last_day: int
) -> tuple[date, date] | None:
    year, month, rolls_over = _target_month(match, today)
    for candidate_year in (year, year + 1) if rolls_over else (year,):
        end_day = min(last_day, calendar.monthrange(candidate_year, month)[1])
        first = date(candidate_year, month, min(first_day, end_day))
        last = date(candidate_year, month, end_day)
        if last >= today:
            return _clipped(first, last, today)
    return None


def _nth_week(match: re.Match[str], today: date) -> tuple[date, date] | None:
    nth = match["nth"]
    if nth == "last":
        year, month, _ = _target_month(match, today)
        last_day = calendar.monthrange(year, month)[1]
        return _month_range(match, today, last_day - 6, last_day)
    first_day = 1 + 7 * _NTH_WEEK[nth]
    return _month_range(match, today, first_day, first_day + 6)


def _month_part(match: re.Match[str], today: date) -> tuple[date, date] | None:
    part = match["part"]
    if "mid" in part:
        key = "mid"
    elif part.startswith(("early", "the beginning", "beginning", "the start", "start")):
        key = "early"
    else:
        key = "late"
    return _month_range(match, today, *_RANGE_DAYS[key])


def _whole_month(match: re.Match[str], today: date) -> tuple[date, date] | None:
    which = " ".join((match["which"] or "").split())
    if which in ("next", "the following"):
        year, month = _add_months(today.year, today.month, 1)
        return date(year, month, 1), _last_day(year, month)
    if which in ("this", "later this"):
        return today, _last_day(today.year, today.month)
    return _month_range(match, today, 1, 31)


def _rule(pattern: str, handler: _Handler) -> _Rule:
    return _Rule(re.compile(pattern), handler)


# Earlier rules win ties between matches of the same length.
_RULES: tuple[_Rule, ...] = (
    _rule(r"\b(?P<year>\d{4})-(?P<month_num>\d{1,2})-(?P<day>\d{1,2})\b", _iso),
    _rule(
        r"(?<![\d/])(?P<month_num>1[0-2]|0?[1-9])/"
        + _DAY_NUMBER
        + r"(?:/(?P<year>\d{4}|\d{2}))?(?![\d/])",
        _numeric,
    ),
    # "Tuesday the 10th" or "Tuesday 10th"; a bare "Tuesday 10" is more likely a time.
    _rule(
        rf"\b{_WEEKDAY},?\s+(?=the\s|\d+(?:st|nd|rd|th)\b)(?:the\s+)?{_DAY}"
        rf"(?:\s+of\s+{_MONTH})?{_NOT_TIME}",
        _weekday_with_day,
    ),
    _rule(
        rf"\b{_WEEKDAY},?\s+{_MONTH}\s+(?:the\s+)?{_DAY}{_NOT_TIME}"
        rf"(?:,?\s+(?P<year>\d{{4}})\b)?",
        _month_day,
    ),
    _rule(rf"\b{_MONTH}\s+(?:the\s+)?{_DAY}{_NOT_TIME}(?:,?\s+(?P<year>\d{{4}})\b)?", _month_day),
    _rule(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<year>\d{{4}})\b)?", _month_day),
    _rule(
        rf"\b(?:the\s+)?{_DAY}\s+of\s+(?P<which>this|next|the\s+next|the)\s+month\b",
        _day_of_named_month,
    ),
    _rule(rf"\b(?:the\s+)+{_ORDINAL_DAY}{_NOT_A_DAY}", _day_only),
    _rule(rf"\bon\s+the\s+{_DAY_NUMBER}\b{_NOT_TIME}{_NOT_A_DAY}(?!\s*(?:st|nd|rd|th))", _day_only),
    _rule(rf"(?<![\d/:.-])\b{_ORDINAL_DAY}{_NOT_A_DAY}", _day_only),
    _rule(
        # "that's all for today" closes a call; it names no appointment day.
        r"(?<!all for )(?<!that's it for )(?<!enough for )"
        r"\b(?:(?:the\s+)?day\s+after\s+tomorrow|tomorrow|tmrw|today|tonight|later\s+today|"
        r"this\s+(?:morning|afternoon|evening))\b",
        _relative_day,
    ),
    _rule(
        rf"\b(?:(?P<mod>next|this\s+coming|this|coming|on)\s+)?{_WEEKDAY}"
        r"(?:,?\s+(?:of\s+)?(?P<week>this|next)\s+week\b|\s+(?P<after_next>after\s+next)\b)?",
        _weekday,
    ),
    _rule(rf"\b(?P<week>this|next)\s+week,?\s+(?:on\s+)?{_WEEKDAY}", _week_then_weekday),
    _rule(rf"\bin\s+{_COUNT}\s*(?P<unit>days?|weeks?|months?)\b", _in_period),
    _rule(
        rf"\b(?:{_COUNT}\s+)?(?P<unit>days?|weeks?)\s+from\s+(?:(?P<anchor_mod>next|this)\s+)?"
        rf"(?P<anchor>today|tomorrow|now|{_WEEKDAY})",
        _from_anchor,
    ),
    _rule(
        r"\b(?:(?P<which>this|next|later\s+this|early\s+next|late\s+next|the\s+following|"
        r"early\s+this|late\s+this|the\s+end\s+of\s+(?:the|this)|end\s+of\s+(?:the|this))\s+week"
        r"|(?P<after_next>(?:the\s+)?week\s+after\s+next))\b",
        _week,
    ),
    _rule(r"\b(?:(?P<which>this|next)\s+)?weekend\b", _weekend),
    _rule(
        r"\b(?:the\s+)?(?P<nth>1st|2nd|3rd|4th|last)\s+week\s+(?:of|in)\s+(?:the\s+)?(?:"
        + _MONTH
        + r"|(?P<rel_month>this|next)\s+month|month\b)",
        _nth_week,
    ),
    _rule(
        r"\b(?P<part>early|mid|the\s+middle\s+of|middle\s+of|late|(?:the\s+)?end\s+of|"
        r"(?:the\s+)?beginning\s+of|(?:the\s+)?start\s+of)[\s-]+(?:the\s+)?(?:"
        + _MONTH
        + r"|(?P<rel_month>this|next)\s+month|month\b)",
        _month_part,
    ),
    _rule(
        r"\b(?:(?P<which>next|this|later\s+this|the\s+following)\s+month\b|"
        r"(?:in|during|sometime\s+in)\s+" + _MONTH + ")",
        _whole_month,
    ),
)
