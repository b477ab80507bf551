"""US phone numbers said in words or digits, as E.164 strings such as "+15551234567"."""

from __future__ import annotations

from agent.parsing.numbers import digit_runs


def parse_phone_number(text: str) -> str | None:
    """Parse a US phone number from what the caller said.

    Accepts digits ("(555) 123-4567", "+1 555 123 4567"), words ("five five five, one two
    three, four five six seven", "double five") and mixtures. The result matches the caller
    ID Twilio reports, so the two compare as strings.

    Args:
        text: What the caller said.

    Returns:
        "+1" and the ten digits, or None when ``text`` holds no ten-digit US number (an area
        code cannot start with 0 or 1).
    """
    runs = digit_runs(text)
    for digits in [*reversed(runs), "".join(runs)]:
        number = _national_number(digits)
        if number is not None:
            return "+1" + number
    return None


def _national_number(digits: str) -> str | None:
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01":
        return None
    return digits
