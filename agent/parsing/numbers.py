"""Numbers said in words: quantities and years, digit strings, and ordinals.

Two readings of the same words serve different slots. As a quantity or a year,
"nineteen eighty-four" is 1984 and "two thousand and five" is 2005. As a digit string for a
phone number or a keypad entry, every word adds digits, so "eight hundred five five five"
is "800555" and "double five" is "55".
"""

from __future__ import annotations

import re

from tools.spoken.numbers import TEENS, TENS, UNITS, normalize_numbers

# Digit groups separated only by spaces or hyphens: "19 84", "03 15", "555-1234".
_CARDINAL = r"\d+(?![\d.]|st\b|nd\b|rd\b|th\b)"
_GROUP_RUN = re.compile(rf"(?<![\d.]){_CARDINAL}(?:[\s-]+{_CARDINAL})*")
_THOUSANDS = re.compile(r"\b\d{1,3}(?:,\d{3})+\b")
_WORD_OR_DIGITS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+")
_REPEATS = {"double": 2, "triple": 3}
_SINGLE_WORD_DIGITS = {word: str(value) for word, value in (UNITS | TEENS).items()}
_SCALE_ZEROS = {"hundred": "00", "thousand": "000"}
# Words a caller may say between the digits of one number without ending it.
_DIGIT_CONNECTORS = frozenset({"and", "dash", "hyphen", "then", "um", "uh", "area", "code"})
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")


def parse_number(text: str) -> int | None:
    """Parse the first number said in ``text``, in words, digits or both.

    Groups said one after the other join as digits, which is how years and codes are said:
    "nineteen eighty-four" is 1984 and "oh three fifteen" is 315.

    Args:
        text: What the caller said.

    Returns:
        The number, or None when ``text`` contains none.
    """
    normalized = _THOUSANDS.sub(lambda m: m.group().replace(",", ""), normalize_numbers(text).text)
    match = _GROUP_RUN.search(normalized)
    if match is None:
        return None
    return int("".join(re.split(r"[\s-]+", match.group())))


def digit_runs(text: str) -> list[str]:
    """Return the runs of digits said in ``text``, each word read as digits.

    A run ends at a word that is neither a number nor a connector such as "and" or "dash";
    punctuation does not end it. "oh" is a zero only next to another digit, so
    "oh, it's five five five" starts with 5.

    Args:
        text: What the caller said, such as "five five five, one two three, double four".

    Returns:
        The runs in order: ``["55512344"]`` for the example, ``["555", "1234"]`` for
        "555 or maybe 1234".
    """
    tokens = [(m.group().lower(), m.start(), m.end()) for m in _WORD_OR_DIGITS.finditer(text)]
    runs: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(tokens):
        digits, consumed = _token_digits(tokens, index, text)
        if digits is None:
            if tokens[index][0] not in _DIGIT_CONNECTORS and current:
                runs.append("".join(current))
                current = []
            index += 1
            continue
        current.append(digits)
        index += consumed
    if current:
        runs.append("".join(current))
    return runs


def parse_digits(text: str) -> str | None:
    """Return every digit said in ``text`` as one string, or None if there are none.

    Args:
        text: What the caller said or keyed, such as "oh three one five" or "0315".
    """
    digits = "".join(digit_runs(text))
    return digits or None


def parse_ordinal(text: str) -> int | None:
    """Parse an ordinal choice such as "the second one" (2) or "3rd" (3).

    Args:
        text: What the caller said.

    Returns:
        The ordinal, -1 for "the last one", or None when there is none.
    """
    if re.search(r"\b(?:the\s+)?last\b", text, re.IGNORECASE):
        return -1
    match = _ORDINAL.search(normalize_numbers(text).text)
    return int(match.group(1)) if match else None


def _token_digits(
    tokens: list[tuple[str, int, int]], index: int, text: str
) -> tuple[str | None, int]:
    """Return the digits token ``index`` stands for and how many tokens it used."""
    word = tokens[index][0]
    if word.isdigit():
        return word, 1
    if word in _SINGLE_WORD_DIGITS:
        return _SINGLE_WORD_DIGITS[word], 1

    if word in _REPEATS and index + 1 < len(tokens):
        following, used = _token_digits(tokens, index + 1, text)
        if following is not None and len(following) == 1:
            return following * _REPEATS[word], 1 + used
        return None, 1

    if word == "oh":
        return ("0", 1) if _next_to_digit(tokens, index, text) else (None, 1)

    if word in TENS:
        # "twenty one" is 21, but "twenty, one" is 20 then 1.
        has_unit = index + 1 < len(tokens) and UNITS.get(tokens[index + 1][0], 0) > 0
        if has_unit and _joined(tokens, index, text):
            return str(TENS[word] + UNITS[tokens[index + 1][0]]), 2
        return str(TENS[word]), 1

    # "eight hundred" in a phone number is 800; a scale word alone adds nothing.
    if word in _SCALE_ZEROS and index > 0:
        return _SCALE_ZEROS[word], 1
    return None, 1


def _joined(tokens: list[tuple[str, int, int]], index: int, text: str) -> bool:
    """Return True if only spaces or hyphens separate token ``index`` from the next."""
    return text[tokens[index][2] : tokens[index + 1][1]].strip(" -") == ""


def _is_digit_word(word: str) -> bool:
    return word.isdigit() or word in UNITS or word in TEENS or word in TENS or word == "zero"


def _next_to_digit(tokens: list[tuple[str, int, int]], index: int, text: str) -> bool:
    before = index > 0 and _joined(tokens, index - 1, text) and _is_digit_word(tokens[index - 1][0])
    after = (
        index + 1 < len(tokens)
        and _joined(tokens, index, text)
        and (_is_digit_word(tokens[index + 1][0]) or tokens[index + 1][0] == "oh")
    )
    return before or after
