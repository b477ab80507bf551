"""Make reply text speech-ready: plain sentences a text-to-speech voice reads correctly.

A reply may come from an LLM (markdown, ISO dates, "14:30") or a tool ("$25", "Dr. Patel"),
and the voice reads what it is given literally. The rules below were chosen by running the
phrases through the espeak-ng phonemizer that piper uses (piper-tts 1.8): "911" is read "nine
hundred eleven", "555-123-4567" as three cardinals with "dash", "$25.50" as "dollar twenty-five
point five zero", "9:05" as "nine zero five" ("nueve cero cinco" with the Spanish voice),
and "Dr. Patel" as two sentences. So:

- markdown, list markers and line breaks become plain running text;
- ISO and slashed dates become "Monday, March 10th" (the year only when it differs from
  ``today``'s), and 24-hour and ISO times become "2:30 PM" (whole hours "9 AM"); minutes
  01 to 09 are said "nine oh five AM" ("9 y 5 de la mañana" in Spanish);
- phone numbers and the emergency numbers 911 and 988 are read digit by digit, in groups;
- amounts become "25 dollars and 50 cents"; "mg" becomes "milligrams";
- "Dr." becomes "Doctor" (Spanish "doctor"), and "St." becomes "Street" or "Saint".
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTHS_ES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)  # fmt: skip
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")

_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_LIST_MARKER = re.compile(r"(?m)^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"(?m)^\s*#{1,6}\s*")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`+|~~)")
_ISO_DATETIME = re.compile(
    r"\b(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_PHONE = re.compile(
    r"(?<![\d$.,:])(?:\+?1[\s.-]?)?(?:\((\d{3})\)\s?|(\d{3})[\s.-])(\d{3})[\s.-](\d{4})(?![\d])"
)
_PHONE_PLAIN = re.compile(r"(?<![\d$.,:])\+?1?(\d{3})(\d{3})(\d{4})(?!\d)")
_PHONE_LOCAL = re.compile(r"(?<![\d$.,:\-])(\d{3})-(\d{4})(?![\d-])")
_SHORT_NUMBER = re.compile(r"(?<![\d$.,:\-])\b(911|988)\b(?![\d,.]\d)(?!\s+[A-Z][a-z])")
_MONEY = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d{2}))?\b")
_CLOCK_SUFFIX = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*([ap])(?:\.\s?m\.|\s?m\b)", re.IGNORECASE)
_CLOCK_24 = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])(?!\s*(?:AM|PM|de la)\b)")
_ZERO_MINUTES = re.compile(r"\b(\d{1,2}):00(?=\s*(?:AM|PM)\b)")
_OH_MINUTES = re.compile(r"(?<![\d:])(1[0-2]|0?[1-9]):0([1-9])(?![\d:])")
_NUMBER_WORDS_EN = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
)  # fmt: skip
_MONTH_DAY = re.compile(
    r"\b(" + "|".join(MONTHS_EN) + r")\s+(\d{1,2})\b(?!\s*(?:st|nd|rd|th)\b)(?![:\d])"
)
_UNITS_EN = {"mg": "milligrams", "mcg": "micrograms", "ml": "milliliters", "mL": "milliliters"}
_UNITS_ES = {"mg": "miligramos", "mcg": "microgramos", "ml": "mililitros", "mL": "mililitros"}
_UNIT = re.compile(r"(?<=\d)\s?(mg|mcg|mL|ml)\b")
_URL = re.compile(r"\bhttps?://(?:www\.)?([^\s/]+?)(/\S*?)?(?=[.,;!?]?(?:\s|$))")
_SPACES = re.compile(r"\s+")


def ordinal(day: int) -> str:
    """Return ``day`` with its English ordinal suffix: 1st, 2nd, 11th, 23rd."""
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def spoken_date(day: date, *, language: str = "en", today: date | None = None) -> str:
    """Format ``day`` as "Monday, March 10th" ("lunes 10 de marzo" in Spanish)."""
    with_year = today is None or day.year != today.year
    if language == "es":
        text = f"{WEEKDAYS_ES[day.weekday()]} {day.day} de {MONTHS_ES[day.month - 1]}"
        return f"{text} de {day.year}" if with_year else text
    text = f"{WEEKDAYS_EN[day.weekday()]}, {MONTHS_EN[day.month - 1]} {ordinal(day.day)}"
    return f"{text}, {day.year}" if with_year else text


def spoken_clock(moment: time, *, language: str = "en") -> str:
    """Format a time of day as "9 AM", "9:15 AM", "9:05 AM" or "noon".

    The digits stay here; :func:`speakable` then says minutes 01 to 09 as "nine oh five".
    """
    if language == "es":
        return _spoken_clock_es(moment)
    if moment.hour == 12 and moment.minute == 0:
        return "noon"
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    if moment.minute == 0:
        return f"{hour} {suffix}"
    return f"{hour}:{moment.minute:02d} {suffix}"


def _spoken_clock_es(moment: time) -> str:
    hour = moment.hour % 12 or 12
    if moment.hour < 12:
        part = "de la mañana"
    elif moment.hour < 19:
        part = "de la tarde"
    else:
        part = "de la noche"
    if moment.minute == 0:
        return f"{hour} {part}"
    return f"{hour}:{moment.minute:02d} {part}"


def spoken_digits(digits: str, groups: tuple[int, ...] = ()) -> str:
    """Read ``digits`` one by one, with a comma between groups: "5 5 5, 0 1 0, 4 4 7 7"."""
    parts: list[str] = []
    start = 0
    for size in groups or (len(digits),):
        parts.append(" ".join(digits[start : start + size]))
        start += size
    if start < len(digits):
        parts.append(" ".join(digits[start:]))
    return ", ".join(part for part in parts if part)


def spoken_phone(number: str) -> str:
    """Read a North American phone number digit by digit in its 3-3-4 groups."""
    digits = re.sub(r"\D", "", number)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10:
        return spoken_digits(digits, (3, 3, 4))
    if len(digits) == 7:
        return spoken_digits(digits, (3, 4))
    return spoken_digits(digits)


def spoken_money(dollars: int, cents: int, *, language: str = "en") -> str:
    """Format an amount as "25 dollars and 50 cents" ("25 dólares con 50 centavos")."""
    if language == "es":
        unit, cent_unit, joiner = ("dólar" if dollars == 1 else "dólares"), "centavos", "con"
    else:
        unit, cent_unit, joiner = ("dollar" if dollars == 1 else "dollars"), "cents", "and"
    if dollars == 0 and cents:
        return f"{cents} {cent_unit}"
    text = f"{dollars:,} {unit}"
    return f"{text} {joiner} {cents} {cent_unit}" if cents else text


def _replace_iso_datetime(match: re.Match[str], language: str, today: date | None,
                          timezone: str | None) -> str:  # fmt: skip
    year, month, day, hour, minute, offset = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute))
    except ValueError:
        return match.group(0)
    if offset and timezone:
        aware = datetime.fromisoformat(match.group(0).replace("Z", "+00:00"))
        moment = aware.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    joiner = "a las" if language == "es" else "at"
    day_text = spoken_date(moment.date(), language=language, today=today)
    return f"{day_text} {joiner} {spoken_clock(moment.time(), language=language)}"


def _replace_date(year: int, month: int, day: int, language: str, today: date | None,
                  original: str) -> str:  # fmt: skip
    try:
        return spoken_date(date(year, month, day), language=language, today=today)
    except ValueError:
        return original


def _replace_clock(match: re.Match[str], language: str) -> str:
    hour = int(match.group(1))
    minute = int(match.group(2) or 0)
    if hour > 12 or minute > 59 or hour == 0:
        return match.group(0)
    if match.group(3).lower() == "p" and hour != 12:
        hour += 12
    elif match.group(3).lower() == "a" and hour == 12:
        hour = 0
    spoken = spoken_clock(time(hour, minute), language=language)
    # "at 9 a.m." ending a sentence: its last period is also the full stop.
    rest = match.string[match.end() :]
    if match.group(0).endswith(".") and (not rest.strip() or rest.lstrip()[:1].isupper()):
        spoken += "."
    return spoken


def _oh_minutes(hour: int, minute: int, language: str) -> str:
    """Say a time with minutes 01 to 09 the way people do, not "nine zero five"."""
    if language == "es":
        return f"{hour} y {minute}"
    # Words, not "9 oh 5": a listener or caller who repeats "9 oh 5" is read as 5 o'clock.
    return f"{_NUMBER_WORDS_EN[hour]} oh {_NUMBER_WORDS_EN[minute]}"


def _strip_markdown(text: str) -> str:
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _LIST_MARKER.sub("", text)
    text = _EMPHASIS.sub("", text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    joined: list[str] = []
    for line in lines:
        # A list item without its own full stop still needs a pause before the next one.
        if joined and joined[-1][-1] not in ".!?:,;":
            joined[-1] += ","
        joined.append(line)
    return " ".join(joined)


def _replace_titles(text: str, language: str) -> str:
    if language == "es":
        text = re.sub(r"\bDra\.", "doctora", text)
        return re.sub(r"\bDr\.", "doctor", text)
    text = re.sub(r"\bDr\.(?=\s|$)", "Doctor", text)
    text = re.sub(r"\bMr\.(?=\s|$)", "Mister", text)
    text = re.sub(r"\bMrs\.(?=\s|$)", "Missus", text)
    # "Main St." is a street and "near St. Mary" a saint: the word before decides.
    text = re.sub(r"\b([A-Z][a-z]*)\s+St\.(?=\s|,|$)", r"\1 Street", text)
    return re.sub(r"\bSt\.\s+(?=[A-Z])", "Saint ", text)


def speakable(
    text: str,
    *,
    language: str = "en",
    today: date | None = None,
    timezone: str | None = None,
) -> str:
    """Rewrite ``text`` so a text-to-speech voice reads it correctly.

    Args:
        text: One or more sentences, possibly with markdown.
        language: ``"en"`` or ``"es"``.
        today: Dates in this year are said without the year.
        timezone: The clinic's IANA time zone, for ISO times that carry an offset.
    """
    text = _strip_markdown(text)
    text = _URL.sub(lambda m: (m.group(1) + (m.group(2) or "")).rstrip("/"), text)
    text = _ISO_DATETIME.sub(lambda m: _replace_iso_datetime(m, language, today, timezone), text)
    text = _ISO_DATE.sub(
        lambda m: _replace_date(int(m[1]), int(m[2]), int(m[3]), language, today, m[0]), text
    )
    text = _SLASH_DATE.sub(
        lambda m: _replace_date(int(m[3]), int(m[1]), int(m[2]), language, today, m[0]), text
    )
    text = _MONEY.sub(
        lambda m: spoken_money(int(m[1].replace(",", "")), int(m[2] or 0), language=language),
        text,
    )
    text = _PHONE.sub(lambda m: spoken_phone(m[0]), text)
    text = _PHONE_PLAIN.sub(lambda m: spoken_phone(m[0]), text)
    text = _PHONE_LOCAL.sub(lambda m: spoken_phone(m[0]), text)
    text = _SHORT_NUMBER.sub(lambda m: spoken_digits(m[1]), text)
    text = _CLOCK_SUFFIX.sub(lambda m: _replace_clock(m, language), text)
    text = _CLOCK_24.sub(
        lambda m: (
            spoken_clock(time(int(m[1]), int(m[2])), language=language)
            if int(m[1]) >= 13 or m[1].startswith("0")
            else m[0]
        ),
        text,
    )
    if language == "en":
        text = _ZERO_MINUTES.sub(r"\1", text)
        text = _MONTH_DAY.sub(lambda m: f"{m[1]} {ordinal(int(m[2]))}", text)
    text = _OH_MINUTES.sub(lambda m: _oh_minutes(int(m[1]), int(m[2]), language), text)
    units = _UNITS_ES if language == "es" else _UNITS_EN
    text = _UNIT.sub(lambda m: " " + units[m[1]], text)
    text = _replace_titles(text, language)
    text = text.replace("&", " y " if language == "es" else " and ")
    text = text.replace("%", " por ciento" if language == "es" else " percent")
    return _SPACES.sub(" ", text).strip()
