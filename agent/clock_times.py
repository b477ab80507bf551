"""Find the clock times a reply states, in every form a reply or a tool message writes them.

:class:`agent.reply_check.ReplyChecker` compares them with the times tool results contain,
so a form missed here is a time that could reach the caller unchecked. Recognised forms:

- "9:15 AM", "2 p.m.", "nine fifteen AM", "nine oh five AM" (as :mod:`agent.speech` writes
  minutes 01 to 09), "noon";
- 24-hour and bare times: "14:30", "3:45";
- bare hours: "at 3", "at three", "around 10", "three o'clock", "at 3 in the afternoon";
- Spanish: "9:15 de la mañana", "9 y 5 de la tarde", "a las 3", "a las tres".

Number words are read with :func:`tools.spoken.numbers.normalize_numbers` (English) and
:func:`agent.parsing.spanish.spanish_numbers` (Spanish) first.
"""

from __future__ import annotations

import re

from agent.parsing.spanish import spanish_numbers
from tools.spoken.numbers import NormalizedText, normalize_numbers

Clock = tuple[int, int]

_MERIDIEM_TIME = re.compile(r"\b(\d{1,2})(?:[: ]([0-5]\d))?\s*([ap])\.?\s?m\b")
_SPANISH_TIME = re.compile(
    r"\b(\d{1,2})(?::([0-5]\d)|\s+y\s+([0-5]?\d|media|cuarto))?\s+(?:de la|en la|por la)\s+"
    r"(manana|tarde|noche)"
)
_BARE_CLOCK = re.compile(r"(?<![\d:])(\d{1,2}):([0-5]\d)(?![\d:])")
_DIGITS_OH = re.compile(r"\b(\d{1,2}) oh ([1-9])\b")
_NOON = re.compile(r"\b(noon|midday|mediodia)\b")
# "at 3", "around 10", "3 o'clock". Words after the number that make it something other
# than an hour ("at 2 locations", "at 1 of our offices", "at 12 Main Street") rule it out.
_BARE_HOUR = re.compile(
    r"\b(?:(?:at|around|say)\s+(\d{1,2})(\s*oclock)?|(\d{1,2})\s*oclock)\b"
    r"(?!\s*(?:[:.,/-]?\d|[ap]\.?\s?m\b|%|percent|dollars?|cents?|minutes?|hours?|days?|"
    r"weeks?|months?|years?|people|patients?|of\b|point|times?|locations?|offices?|clinics?|"
    r"providers?|doctors?|st\b|nd\b|rd\b|th\b|and a half))"
)
_DAY_PART = re.compile(r"\s+(?:in the |this )?(morning|afternoon|evening|tonight)\b")
_SPANISH_BARE_HOUR = re.compile(
    r"\ba las? (\d{1,2})\b(?!\s*(?::|\d|y |de la|en la|por la|horas|minutos|personas))"
)
_SPANISH_MINUTES = {"media": 30, "cuarto": 15}


def to_24h(hour: int, minute: int, meridiem: str) -> Clock | None:
    """Return ``hour:minute`` with an AM/PM or Spanish day part as 24-hour time, or None."""
    if not 1 <= hour <= 12:
        return None
    if meridiem in ("p", "tarde", "noche", "afternoon", "evening", "tonight") and hour != 12:
        hour += 12
    elif meridiem in ("a", "manana", "morning") and hour == 12:
        hour = 0
    return hour, minute


def times_in(text: str) -> list[tuple[Clock, bool]]:
    """Find the clock times stated in ``text``.

    Returns:
        ``((hour, minute), exact)`` pairs in 24-hour time; ``exact`` is False for a time
        without AM/PM ("9:15", "at 3"), which may mean either half of the day.
    """
    english = normalize_numbers(text)
    return _english_times(english) + _spanish_times(spanish_numbers(text))


def _english_times(normalized: NormalizedText) -> list[tuple[Clock, bool]]:
    text = normalized.text
    found: list[tuple[Clock, bool]] = []
    covered: list[tuple[int, int]] = []
    for match in _MERIDIEM_TIME.finditer(text):
        clock = to_24h(int(match[1]), int(match[2] or 0), match[3])
        if clock:
            found.append((clock, True))
            covered.append(match.span())

    for match in _BARE_CLOCK.finditer(text):
        if _inside(match.start(), covered):
            continue
        hour, minute = int(match[1]), int(match[2])
        if hour <= 23:
            found.append(((hour, minute), hour == 0 or hour > 12))
            covered.append(match.span())

    for match in _DIGITS_OH.finditer(text):
        if not _inside(match.start(), covered) and 1 <= int(match[1]) <= 23:
            found.append(((int(match[1]), int(match[2])), int(match[1]) > 12))
            covered.append(match.span())

    for match in _BARE_HOUR.finditer(text):
        if _inside(match.start(), covered) or _names_a_place(normalized, match.end()):
            continue
        hour = int(match[1] or match[3])
        part = _DAY_PART.match(text, match.end())
        if part is not None:
            clock = to_24h(hour, 0, part[1])
            if clock:
                found.append((clock, True))
        elif 1 <= hour <= 23:
            found.append(((hour, 0), hour > 12))

    for _ in _NOON.finditer(text):
        found.append(((12, 0), True))
    return found


def _spanish_times(text: str) -> list[tuple[Clock, bool]]:
    found: list[tuple[Clock, bool]] = []
    for match in _SPANISH_TIME.finditer(text):
        minutes = match[2] or match[3] or "0"
        minute = _SPANISH_MINUTES.get(minutes) or int(minutes if minutes.isdigit() else 0)
        clock = to_24h(int(match[1]), minute, match[4])
        if clock:
            found.append((clock, True))
    for match in _SPANISH_BARE_HOUR.finditer(text):
        hour = int(match[1])
        if 1 <= hour <= 23:
            found.append(((hour, 0), hour > 12))
    return found


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _names_a_place(normalized: NormalizedText, end: int) -> bool:
    """Return whether a name follows the number: "at 12 Maple Street", "at 2 Oak Plaza"."""
    _, source_end = normalized.source_span(end - 1, end)
    following = re.match(r"\s*([A-Z][\w.]*)", normalized.source[source_end:])
    return following is not None and following[1].lower().rstrip(".") not in _NOT_PLACES


# Capitalised words that may follow an hour: "at 3 Tuesday", "at 9 AM", "at 3 I can...".
_NOT_PLACES = frozenset(
    (
        "am", "pm", "a.m", "p.m", "i", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "today", "tomorrow", "january", "february", "march", "april",
        "may", "june", "july", "august", "september", "october", "november", "december",
    )
)  # fmt: skip
