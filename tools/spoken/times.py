"""Spoken times of day ("quarter past 4", "after 3", "first thing") as exact times or windows.

Conventions:

- A bare hour without am or pm is read as clinic hours suggest: 1 to 6 is afternoon, 7 to 11
  is morning, 12 is noon. The result is then flagged ``assumed_meridiem``. A period said
  elsewhere in the sentence settles it instead ("Tuesday afternoon at 3").
- Windows are half-open, ``[start, end)``: morning 08:00-12:00, afternoon 12:00-17:00,
  evening 17:00-20:00. "after 3" runs to 23:59 and "before noon" from 00:00, because the
  clinic's hours, not the parser, bound the search.
- "around 10" is the exact time 10:00 flagged ``approximate``: the caller named a time and
  would take one near it.
- A bare number is a time only when it stands alone or follows "at", "around", "by" and
  similar words, so "in 3 days" or "the 3rd" is never 3 o'clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

from tools.spoken.negation import is_negated
from tools.spoken.numbers import NormalizedText, normalize_numbers


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


DAY_START = time(0, 0)
DAY_END = time(23, 59)
PERIODS: dict[str, tuple[time, time]] = {
    "morning": (time(8), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(20)),
    "night": (time(17), time(20)),
}
_NAMED_WINDOWS: dict[str, tuple[time, time]] = {
    "early morning": (time(8), time(10)),
    "mid morning": (time(9, 30), time(11)),
    "late morning": (time(10), time(12)),
    "early afternoon": (time(12), time(14)),
    "mid afternoon": (time(13, 30), time(15, 30)),
    "late afternoon": (time(15), time(17)),
    "early evening": (time(17), time(18, 30)),
    "late evening": (time(18, 30), time(20)),
    "lunch": (time(12), time(13)),
    "first thing": (time(8), time(9)),
    "end of day": (time(15), time(17)),
}
# Windows around the caller's day: "after work", "before lunch".
_ERRAND_WINDOWS: dict[tuple[str, str], tuple[time, time]] = {
    ("after", "lunch"): (time(13), DAY_END),
    ("before", "lunch"): (DAY_START, time(12)),
    ("after", "work"): (time(17), DAY_END),
    ("before", "work"): (DAY_START, time(9)),
    ("after", "school"): (time(15), DAY_END),
    ("before", "school"): (DAY_START, time(8)),
}
_NAMED_TIMES = {"noon": time(12), "midday": time(12), "midnight": time(0)}

# Words that may surround a time said on its own ("um, how about nine?").
_FILLERS = _words(
    """
    um uh er erm hmm so say maybe how about lets let's let us make it try ok okay yes yeah yep
    please well sure perhaps oh like i guess at would be works work good fine for the
    appointment then thanks thank you
    """
)

_MERIDIEM = (
    r"(?P<mer>a\.?\s?m\b\.?|p\.?\s?m\b\.?|in\s+the\s+(?:morning|afternoon|evening)|at\s+night"
    r"|tonight|(?:this|tomorrow|the)\s+(?:morning|afternoon|evening))"
)
_HOUR = r"(?P<hour>[01]?\d|2[0-3])"
# "9:15", "9.15", and "9 15" from "nine fifteen"; minutes must be two digits.
_CLOCK = _HOUR + r"(?:(?P<sep>[:.]|\s)(?P<minute>[0-5]\d))?(?!\d)(?P<oclock>\s*oclock)?"
_AFTER_WORDS = frozenset(
    {"after", "from", "later than", "no earlier than", "anytime after", "any time after"}
)
_BEFORE_WORDS = frozenset(
    {"before", "by", "until", "till", "til", "no later than", "earlier than", "not later than"}
)
_AROUND_WORDS = frozenset({"around", "about", "approximately", "roughly", "sometime around"})
_PREFIX = (
    r"\b(?P<prefix>(?:how|what)\s+about|"
    r"(?:(?:at|for)\s+)?(?:around|about|approximately|roughly|sometime\s+around)|"
    r"after|from|later\s+than|no\s+earlier\s+than|any\s?time\s+after|before|by|until|till|"
    r"til|no\s+later\s+than|not\s+later\s+than|earlier\s+than|at|for)\s+"
)
_NOT_A_TIME_AFTER = (
    r"(?!\s*(?:(?:st|nd|rd|th)\b|days?|weeks?|months?|years?|minutes?|hours?|people|persons?|"
    r"patients?|kids?|children|dollars?|percent|%|/|-\s?\d))"
)
_FRACTION = (
    r"(?P<fraction>(?:a\s+)?quarter|half|[1-5]?\d(?:\s+minutes?)?)\s+"
    r"(?P<relation>past|after|to|till|til|before|of)\s+"
)


_CLOCK_PHRASE = re.compile(
    rf"(?<![\d/:.-])(?:{_PREFIX})?(?:(?P<lead>morning|afternoon|evening|night)\s+(?:at\s+)?)?"
    rf"{_CLOCK}(?:\s*{_MERIDIEM})?{_NOT_A_TIME_AFTER}(?!\s*[:./]\d)"
)
_FRACTION_PHRASE = re.compile(
    rf"(?:{_PREFIX})?{_FRACTION}(?P<target>2[0-3]|[01]?\d|noon|midday|midnight)\b"
    rf"(?:\s*oclock)?(?:\s*{_MERIDIEM})?{_NOT_A_TIME_AFTER}"
)
_NAMED_TIME_PHRASE = re.compile(rf"(?:{_PREFIX})?(?:12\s+)?\b(?P<name>noon|midday|midnight)\b")
_NAMED_WINDOW_PHRASE = re.compile(
    r"\b(?P<name>(?:early|mid|late)[\s-]?(?:morning|afternoon|evening)|lunch(?:time)?|"
    r"(?:1st|first)\s+thing(?:\s+in\s+the\s+morning)?|(?:the\s+)?end\s+of\s+(?:the\s+)?day|"
    r"close\s+of\s+business)\b"
)
_PERIOD_PHRASE = re.compile(
    r"\b(?:in\s+the\s+|this\s+|tomorrow\s+|the\s+)?(?P<name>morning|afternoon|evening|night|"
    r"tonight)s?\b"
)
_ERRAND_PHRASE = re.compile(r"\b(?P<side>after|before)\s+(?P<what>lunch|work|school)\b")


@dataclass(frozen=True)
class TimeResolution:
    """An exact time, or a half-open window ``[start, end)`` of times, said by the caller.

    Attributes:
        start: The time, or the window's start.
        end: Equal to ``start`` for an exact time, else the window's end.
        span: Where the words were found in the text passed in, as ``(start, end)`` offsets.
        text: Those words.
        assumed_meridiem: The caller gave an hour without am or pm and the parser chose.
        approximate: The caller said "around" or "about"; a nearby time would also do.
    """

    start: time
    end: time
    span: tuple[int, int]
    text: str
    assumed_meridiem: bool = False
    approximate: bool = False

    @property
    def is_window(self) -> bool:
        """Whether this is a window of times rather than one exact time."""
        return self.start != self.end


@dataclass(frozen=True)
class _Clock:
    """A clock reading whose am or pm may not be settled yet."""

    hour: int
    minute: int
    meridiem: str | None
    # Said on the 24-hour clock ("09:45", "14:00") or named ("noon"): nothing to settle.
    twenty_four_hour: bool = False

    def settle(self, period: str | None) -> tuple[time, bool]:
        """Return the 24-hour time and whether am or pm was assumed."""
        meridiem = self.meridiem or period
        hour = self.hour
        if hour > 12 or hour == 0 or self.twenty_four_hour:
            return time(hour, self.minute), False
        if meridiem is None:
            return time(hour if hour >= 7 else hour + 12, self.minute), True
        if meridiem in ("am", "morning"):
            return time(0 if hour == 12 else hour, self.minute), False
        if meridiem == "night" and hour == 12:
            return time(0, self.minute), False
        return time(hour if hour == 12 else hour + 12, self.minute), False


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    rank: int  # 2: built on a said time, 1: a named window such as "morning"
    build: Callable[[str | None], tuple[time, time, bool, bool] | None]
    period: str | None = None


def resolve_time(text: str) -> TimeResolution | None:
    """Find the time or window of time the caller means in ``text``.

    Args:
        text: What the caller said, as transcribed.

    Returns:
        The resolution, or None when ``text`` names no time of day. The conventions are in
        the module docstring.
    """
    normalized = normalize_numbers(text)
    candidates = _candidates(normalized)
    if not candidates:
        return None
    period = next((c.period for c in candidates if c.period), None)
    text_lower = normalized.text
    # Prefer what was not negated, then a said time over a named window, then the longest
    # phrase, then the last one said ("not at 3, at 4").
    candidates.sort(
        key=lambda c: (not is_negated(text_lower, c.start), c.rank, c.end - c.start, c.start),
        reverse=True,
    )
    for candidate in candidates:
        built = candidate.build(period)
        if built is None:
            continue
        start, end = normalized.source_span(candidate.start, candidate.end)
        return TimeResolution(built[0], built[1], (start, end), text[start:end], *built[2:])
    return None


def _meridiem(text: str | None) -> str | None:
    if not text:
        return None
    squeezed = re.sub(r"[\s.]", "", text)
    if squeezed in ("am", "pm"):
        return squeezed
    for word in ("morning", "afternoon", "evening", "night"):
        if word in text:
            return word
    return "evening" if "tonight" in text else None


def _clock(match: re.Match[str]) -> _Clock:
    hour_text = match["hour"]
    minute = int(match["minute"]) if match["minute"] else 0
    twenty_four_hour = len(hour_text) == 2 and hour_text.startswith("0")
    return _Clock(int(hour_text), minute, _meridiem(match["mer"]), twenty_four_hour)


def _fraction_clock(match: re.Match[str]) -> _Clock | None:
    """Return the clock for "quarter past 4", "ten to 5", "half past noon"."""
    fraction = match["fraction"]
    relation = match["relation"]
    forward = relation in ("past", "after")
    if "quarter" in fraction:
        minutes = 15
    elif fraction == "half":
        minutes = 30 if forward else 0
    else:
        minutes = int(fraction.split()[0])
        # "2 to 4" is a range, not 3:58; bare numbers count only as the usual five-minute steps.
        usual = {5, 10, 15, 20, 25} if forward else {5, 10, 20, 25}
        if minutes not in usual and "minute" not in fraction:
            return None
    if not 0 < minutes < (31 if forward else 30):
        return None
    target = match["target"]
    meridiem = _meridiem(match["mer"])
    if target in ("noon", "midday"):
        hour, meridiem = 12, "pm"
    elif target == "midnight":
        hour, meridiem = 0, "night"
    else:
        hour = int(target)
    if forward:
        return _Clock(hour, minutes, meridiem)
    previous = hour - 1
    if hour == 0:
        previous = 11
    elif hour == 1:
        previous = 12
    return _Clock(previous, 60 - minutes, meridiem)


def _apply(prefix: str | None, clock_time: time) -> tuple[time, time, bool]:
    """Turn an exact time and the word before it into (start, end, approximate)."""
    words = " ".join((prefix or "").split()).removeprefix("at ").removeprefix("for ")
    if words in _AFTER_WORDS:
        return clock_time, DAY_END, False
    if words in _BEFORE_WORDS:
        return DAY_START, clock_time, False
    if words in _AROUND_WORDS:
        return clock_time, clock_time, True
    return clock_time, clock_time, False


def _exact_builder(
    clock: _Clock, prefix: str | None
) -> Callable[[str | None], tuple[time, time, bool, bool] | None]:
    def build(period: str | None) -> tuple[time, time, bool, bool] | None:
        settled = clock.settle(period)
        start, end, approximate = _apply(prefix, settled[0])
        return start, end, settled[1], approximate

    return build


def _window_builder(
    start: time, end: time
) -> Callable[[str | None], tuple[time, time, bool, bool] | None]:
    return lambda _period: (start, end, False, False)


def _is_alone(text: str, start: int, end: int) -> bool:
    """Return True if only filler words surround ``text[start:end]``."""
    rest = re.findall(r"[^\W_]+(?:'[^\W_]+)?", text[:start] + " " + text[end:])
    return all(word in _FILLERS for word in rest)


def _clock_candidates(normalized: NormalizedText) -> list[_Candidate]:
    text = normalized.text
    found = []
    for match in _CLOCK_PHRASE.finditer(text):
        clock = _clock(match)
        if match["lead"] and clock.meridiem is None:
            clock = _Clock(clock.hour, clock.minute, match["lead"], clock.twenty_four_hour)
        said_as_time = (match["sep"] in (":", ".")) or clock.meridiem or match["oclock"]
        spaced = match["sep"] is not None and match["sep"].isspace()
        introduced = match["prefix"] or match["lead"]
        if not said_as_time and _is_pronoun_one(normalized, match):
            # "look for one", "that one": the word "one" is a time only after "at".
            introduced = match["prefix"] == "at"
        if not (said_as_time or introduced or _is_alone(text, match.start(), match.end())):
            continue
        if spaced and clock.hour > 12:
            continue
        prefix = match["prefix"]
        found.append(_Candidate(match.start(), match.end(), 2, _exact_builder(clock, prefix)))
    return found


def _is_pronoun_one(normalized: NormalizedText, match: re.Match[str]) -> bool:
    start, end = normalized.source_span(*match.span("hour"))
    return normalized.source[start:end].lower() == "one"


def _fraction_candidates(text: str) -> list[_Candidate]:
    found = []
    for match in _FRACTION_PHRASE.finditer(text):
        clock = _fraction_clock(match)
        if clock is not None:
            builder = _exact_builder(clock, match["prefix"])
            found.append(_Candidate(match.start(), match.end(), 2, builder))
    return found


def _named_time_candidates(text: str) -> list[_Candidate]:
    found = []
    for match in _NAMED_TIME_PHRASE.finditer(text):
        named = _NAMED_TIMES[match["name"]]
        clock = _Clock(named.hour, 0, None, twenty_four_hour=True)
        builder = _exact_builder(clock, match["prefix"])
        found.append(_Candidate(match.start(), match.end(), 2, builder))
    return found


_RANGE_END = (
    r"(?:[01]?\d|2[0-3])(?:[:.][0-5]\d)?(?:\s*oclock)?(?:\s*(?:[ap]\.?\s?m\b\.?))?|noon|midday"
)
_RANGE = re.compile(
    rf"\b(?:between|from)\s+(?P<first>{_RANGE_END})\s*(?:and|to|till|until|til|-)\s*"
    rf"(?P<second>{_RANGE_END})(?!\s*[:.]?\d)"
)


def _range_candidates(text: str) -> list[_Candidate]:
    """Find "between 2 and 4" and "from 10 to noon"."""
    found = []
    for match in _RANGE.finditer(text):
        first = _parse_clock(match["first"])
        second = _parse_clock(match["second"])
        if first is not None and second is not None:
            build = _range_builder(first, second)
            found.append(_Candidate(match.start(), match.end(), 2, build))
    return found


def _parse_clock(text: str) -> _Clock | None:
    if text in _NAMED_TIMES:
        return _Clock(12, 0, "pm")
    match = re.fullmatch(rf"{_CLOCK}(?:\s*{_MERIDIEM})?", text)
    return None if match is None else _clock(match)


def _range_builder(
    first: _Clock, second: _Clock
) -> Callable[[str | None], tuple[time, time, bool, bool] | None]:
    def build(period: str | None) -> tuple[time, time, bool, bool] | None:
        if first.meridiem is None and second.meridiem is not None:
            # "from 8 to 10 pm": the stated meridiem covers both ends when that keeps order.
            shared = _Clock(first.hour, first.minute, second.meridiem, first.twenty_four_hour)
            if shared.settle(period)[0] < second.settle(period)[0]:
                return _range_times(shared.settle(period), second.settle(period))
        return _range_times(first.settle(period), second.settle(period))

    return build


def _range_times(
    first: tuple[time, bool], second: tuple[time, bool]
) -> tuple[time, time, bool, bool] | None:
    start, end = first[0], second[0]
    if start >= end and first[1] and start.hour < 12:
        # "between 6 and 8" read as 6 pm to 8 pm rather than 18:00 to 08:00.
        start = time(start.hour + 12, start.minute)
    if start >= end:
        return None
    return start, end, first[1] or second[1], False


def _window_candidates(text: str) -> list[_Candidate]:
    found = []
    for match in _NAMED_WINDOW_PHRASE.finditer(text):
        key = _window_key(match["name"])
        start, end = _NAMED_WINDOWS[key]
        period = "morning" if key in ("first thing", "early morning", "mid morning") else None
        found.append(_Candidate(match.start(), match.end(), 1, _window_builder(start, end), period))
    for match in _PERIOD_PHRASE.finditer(text):
        name = "evening" if match["name"] == "tonight" else match["name"]
        start, end = PERIODS[name]
        found.append(_Candidate(match.start(), match.end(), 1, _window_builder(start, end), name))
    for match in _ERRAND_PHRASE.finditer(text):
        window = _ERRAND_WINDOWS[(match["side"], match["what"])]
        found.append(_Candidate(match.start(), match.end(), 1, _window_builder(*window)))
    return found


def _window_key(name: str) -> str:
    name = name.replace("-", " ")
    if name.startswith("lunch"):
        return "lunch"
    if "thing" in name:
        return "first thing"
    if "end" in name or "close" in name:
        return "end of day"
    return " ".join(name.split())


def _candidates(normalized: NormalizedText) -> list[_Candidate]:
    text = normalized.text
    exact = (
        _clock_candidates(normalized) + _fraction_candidates(text) + _named_time_candidates(text)
    )
    return exact + _range_candidates(text) + _window_candidates(text)
