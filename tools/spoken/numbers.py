"""Number words as speech-to-text writes them, turned into digits inside a sentence.

Parsers for dates, times, birth dates and phone numbers all work on the output of
:func:`normalize_numbers`, which lowercases the text and replaces every run of number words
with digit groups while remembering where each character came from, so a match in the
normalised text maps back to a span of what the caller said::

    "the twenty-first at nine fifteen"  ->  "the 21st at 9 15"
    "nineteen eighty-four"              ->  "19 84"
    "two thousand and five"             ->  "2005"
    "oh three fifteen"                  ->  "03 15"

Groups that do not combine into one cardinal ("nine fifteen", "nineteen eighty-four") stay
separate; the caller of this module decides whether they are a clock time, a year or digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
TEENS: dict[str, int] = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
UNIT_ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
}  # fmt: skip
OTHER_ORDINALS: dict[str, int] = {
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
SCALES: dict[str, int] = {"hundred": 100, "thousand": 1000}

# "oh" is a zero only next to another number word ("nine oh five"); alone it is an interjection.
_ZERO_WORDS = frozenset({"oh", "zero"})
_NUMBER_WORDS = (
    frozenset(
        UNITS.keys() | TEENS.keys() | TENS.keys() | UNIT_ORDINALS.keys() | OTHER_ORDINALS.keys()
    )
    | SCALES.keys()
    | _ZERO_WORDS
)

# Words, digit runs, and the spellings of "o'clock" (typed text has o"clock and oclock too).
_TOKEN = re.compile(r"o\s?['\"’`]?\s?clock\b|[^\W\d_]+(?:['’][^\W\d_]+)*|\d+", re.IGNORECASE)
_OCLOCK = re.compile(r"o\s?['\"’`]?\s?clock", re.IGNORECASE)


def ordinal_suffix(value: int) -> str:
    """Return the English ordinal suffix for ``value`` ("st" for 1 and 21, "th" for 11)."""
    if 10 <= value % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")


@dataclass(frozen=True)
class NormalizedText:
    """Lowercased text with number words as digits, mapped back to the original.

    Attributes:
        text: The normalised text.
        source: The text it was made from.
        starts: For each character of ``text``, where its source starts in ``source``.
        ends: For each character of ``text``, where its source ends (exclusive).
    """

    text: str
    source: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map the span ``[start, end)`` of :attr:`text` to a span of :attr:`source`."""
        if start >= end:
            position = self.starts[start] if start < len(self.starts) else len(self.source)
            return position, position
        return self.starts[start], self.ends[end - 1]


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    end: int


class _Builder:
    """Accumulates normalised text together with each character's source span."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, text: str, start: int, end: int) -> None:
        self.parts.append(text)
        self.starts.extend([start] * len(text))
        self.ends.extend([end] * len(text))

    def add_verbatim(self, source: str, start: int, end: int) -> None:
        for index in range(start, end):
            self.add(source[index].lower(), index, index + 1)


def normalize_numbers(text: str) -> NormalizedText:
    """Lowercase ``text`` and replace runs of number words with digit groups.

    Args:
        text: What the caller said, as transcribed.

    Returns:
        The normalised text with a map back to ``text``. Ordinal words keep their suffix
        ("twenty-first" becomes "21st") and every spelling of "o'clock" becomes "oclock".
    """
    builder = _Builder()
    words = [_Word(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    position = 0
    index = 0
    while index < len(words):
        run_end = _number_run_end(words, index, text)
        if run_end == index:
            word = words[index]
            builder.add_verbatim(text, position, word.start)
            if _OCLOCK.fullmatch(word.text):
                builder.add("oclock", word.start, word.end)
            else:
                builder.add_verbatim(text, word.start, word.end)
            position = word.end
            index += 1
            continue
        run = words[index:run_end]
        builder.add_verbatim(text, position, run[0].start)
        _add_groups(builder, run)
        position = run[-1].end
        index = run_end
    builder.add_verbatim(text, position, len(text))
    return NormalizedText("".join(builder.parts), text, tuple(builder.starts), tuple(builder.ends))


def _is_number_word(word: _Word) -> bool:
    return word.text.lower() in _NUMBER_WORDS


def _is_a_before_scale(words: list[_Word], index: int) -> bool:
    """Return True if ``words[index]`` is the "a" of "a hundred" or "a thousand"."""
    following = index + 1 < len(words) and words[index + 1].text.lower() in SCALES
    return words[index].text.lower() == "a" and following


def _number_run_end(words: list[_Word], index: int, text: str) -> int:
    """Return the end of the run of number words starting at ``index`` (``index`` if none).

    Words join a run when only spaces or hyphens separate them; "and" joins after "hundred"
    or "thousand" when a number follows ("two thousand and five").
    """
    end = index
    while end < len(words):
        word = words[end]
        lowered = word.text.lower()
        if end > index and text[words[end - 1].end : word.start].strip(" -") != "":
            break
        if lowered == "and" and end > index and words[end - 1].text.lower() in SCALES:
            follows = end + 1 < len(words) and _is_number_word(words[end + 1])
            if not follows:
                break
        elif not _is_number_word(word) and not _is_a_before_scale(words, end):
            break
        end += 1
    # A lone or trailing "oh" is an interjection, not a zero.
    while end > index and words[end - 1].text.lower() == "oh":
        end -= 1
    if end - index == 1 and words[index].text.lower() in SCALES:
        return index
    return end


def _add_groups(builder: _Builder, run: list[_Word]) -> None:
    """Append the digit groups for one run of number words, separated by spaces."""
    lowered = [word.text.lower() for word in run]
    index = 0
    first = True
    while index < len(run):
        digits, next_index = _read_group(lowered, index)
        if next_index == index:  # a word that starts no group, such as a stray scale word
            digits, next_index = lowered[index], index + 1
        if not first:
            builder.add(" ", run[index - 1].end, run[index].start)
        builder.add(digits, run[index].start, run[next_index - 1].end)
        first = False
        index = next_index


def _read_group(words: list[str], index: int) -> tuple[str, int]:
    """Read one digit group from ``words[index:]``: a cardinal, an ordinal or "oh" digits."""
    word = words[index]
    if word in _ZERO_WORDS:
        # "oh five" -> "05": keeps the zero that clock times and birth dates need.
        if index + 1 < len(words) and words[index + 1] in UNITS:
            return "0" + str(UNITS[words[index + 1]]), index + 2
        return "0", index + 1
    value, next_index, ordinal = _read_cardinal(words, index)
    if next_index == index:
        return "", index
    return (f"{value}{ordinal_suffix(value)}" if ordinal else str(value)), next_index


def _read_cardinal(words: list[str], index: int) -> tuple[int, int, bool]:
    """Read the longest cardinal or ordinal at ``index``: (value, next index, is ordinal)."""
    value, index, ordinal = _read_below_thousand(words, index)
    if not ordinal and index < len(words) and words[index] == "thousand":
        index = _skip_and(words, index + 1)
        rest, index, ordinal = _read_below_thousand(words, index)
        value = (value or 1) * 1000 + rest
    return value, index, ordinal


def _read_below_thousand(words: list[str], index: int) -> tuple[int, int, bool]:
    """Read a number under 1000, allowing "nineteen hundred" style hundreds."""
    value, index, ordinal = _read_below_hundred(words, index)
    if not ordinal and index < len(words) and words[index] == "hundred":
        index = _skip_and(words, index + 1)
        rest, index, ordinal = _read_below_hundred(words, index)
        value = (value or 1) * 100 + rest
    return value, index, ordinal


def _skip_and(words: list[str], index: int) -> int:
    return index + 1 if index < len(words) and words[index] == "and" else index


def _read_below_hundred(words: list[str], index: int) -> tuple[int, int, bool]:
    """Read a number under 100 at ``index``: (value, next index, is ordinal)."""
    if index >= len(words):
        return 0, index, False
    word = words[index]
    if word == "a" and index + 1 < len(words) and words[index + 1] in SCALES:
        return 1, index + 1, False
    if word in TENS:
        if index + 1 < len(words):
            following = words[index + 1]
            if following in UNITS and UNITS[following] > 0:
                return TENS[word] + UNITS[following], index + 2, False
            if following in UNIT_ORDINALS:
                return TENS[word] + UNIT_ORDINALS[following], index + 2, True
        return TENS[word], index + 1, False
    for table, ordinal in ((UNITS, False), (TEENS, False), (UNIT_ORDINALS, True)):
        if word in table:
            return table[word], index + 1, ordinal
    if word in OTHER_ORDINALS:
        return OTHER_ORDINALS[word], index + 1, True
    return 0, index, False
