"""Work out what the agent just asked the caller, from the words of its reply.

The goal-driven caller answers questions from its facts, so it needs to know whether the
agent asked for a name, a date of birth, a day, a yes or no, and so on. Detection is by
keyword on the reply's questions (English and Spanish); it is deliberately simple, and a
reply it cannot place becomes ``other``.
"""

from __future__ import annotations

import re
from typing import Literal

from evals.scenario import Topic

_EN_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_EN_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_ES_WEEKDAYS = "lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo"
_ES_MONTHS = (
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre"
    "|noviembre|diciembre"
)

TIME_PATTERN = re.compile(
    # English: "Tuesday, March 10th at 9:15 AM", "Wednesday at 2 PM", "Friday at noon".
    rf"\b(?:(?:{_EN_WEEKDAYS})(?:,?\s+(?:{_EN_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?)?"
    r"(?:,?\s+\d{4})?,?\s+(?:at\s+)?)?"
    r"(?:\d{1,2}(?::\d{2})?\s*(?:[ap]\.m\.|[ap]m\b)|(?<=at )noon\b)"
    # Spanish: "el lunes 2 de marzo a las 2:35 de la tarde", "a la 1 de la tarde".
    rf"|\b(?:(?:el\s+)?(?:{_ES_WEEKDAYS})(?:\s+\d{{1,2}}\s+de\s+(?:{_ES_MONTHS}))?"
    r"(?:\s+de\s+\d{4})?,?\s+)?(?:a\s+las?\s+)?"
    r"\d{1,2}(?::\d{2})?\s+(?:de\s+la\s+(?:mañana|tarde|noche)|del\s+mediodía)",
    re.IGNORECASE,
)
"""An offered time, with its day when the reply names one: "Tuesday, March 10 at 9:15 AM"."""

_CLOCK = re.compile(
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<half>[ap])\.?m\b"
    r"|(?P<es_hour>\d{1,2})(?::(?P<es_minute>\d{2}))?\s+del?\s+(?:la\s+)?"
    r"(?P<es_half>mañana|tarde|noche|mediodía)"
    r"|(?P<noon>noon)",
    re.IGNORECASE,
)

PartOfDay = Literal["morning", "afternoon", "evening"]
"""Parts of the day a caller may ask for."""

# Hours (from, to) in which a caller who asked for a part of the day accepts an offer.
_ACCEPTED_HOURS: dict[PartOfDay, tuple[int, int]] = {
    "morning": (0, 12),
    "afternoon": (12, 18),
    "evening": (17, 24),
}

# Caller preference words for each part of the day. "Tarde" and "noche" are checked before
# "mañana", which alone means "tomorrow" ("mañana por la tarde" is tomorrow afternoon).
_PART_WORDS: tuple[tuple[PartOfDay, tuple[str, ...]], ...] = (
    ("evening", ("evening", "after work", "noche")),
    ("afternoon", ("afternoon", "after lunch", "tarde")),
    ("morning", ("morning", "early", "por la mañana", "de la mañana", "en la mañana")),
)

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")

# Checked in this order, and the first topic found in a reply's questions wins. Identity
# topics (name, date of birth, phone) are the exception: all are collected for one answer.
_KEYWORDS: tuple[tuple[Topic, tuple[str, ...]], ...] = (
    (
        "repeat",
        (
            "repeat that",
            "say that again",
            "didn't catch",
            "did not catch",
            "didn't quite",
            "didn't get that",
            "didn't understand",
            "could you say",
            "no entendí",
            "no le escuché",
            "me lo puede repetir",
            "lo puede repetir",
            "still there",
            "are you there",
            "sigue ahí",
            "sigue en la línea",
        ),
    ),
    (
        "hang_up",
        (
            "hang up and call",
            "call 9 1 1",
            "call 911",
            "call 9 8 8",
            "call 988",
            "text 9 8 8",
            "text 988",
            "cuelgue",
            "al 9 1 1",
            "al 911",
            "al 9 8 8",
            "al 988",
        ),
    ),
    (
        "closing",
        (
            "goodbye",
            "have a good day",
            "have a great day",
            "taken a message",
            "call you back",
            "adiós",
            "buen día",
            "le llamará",
        ),
    ),
    (
        "anything_else",
        ("anything else", "something else", "else i can", "else can i", "algo más", "otra cosa"),
    ),
    (
        "name",
        (
            "your name",
            "full name",
            "first and last name",
            "who am i speaking",
            "who i'm speaking",
            "spell your",
            "su nombre",
            "nombre completo",
            "cómo se llama",
            "deletrear su apellido",
        ),
    ),
    (
        "date_of_birth",
        ("date of birth", "birth date", "birthdate", "birthday", "born", "fecha de nacimiento"),
    ),
    (
        "phone",
        (
            "phone number",
            "callback number",
            "call-back number",
            "best number",
            "number to reach",
            "reach you",
            "número de teléfono",
            "teléfono",
        ),
    ),
    (
        "confirm",
        (
            "shall i",
            "should i",
            "would you like me to",
            "do you want me to",
            "correct",
            "is that right",
            "go ahead",
            "okay to",
            "ok to",
            "confirm",
            "sound good",
            "does that work",
            "is that ok",
            "is that okay",
            "want that",
            "¿lo reservo",
            "¿se la reservo",
            "¿se lo reservo",
            "¿la reservo",
            "¿lo hago",
            "¿lo cambio",
            "¿la cambio",
            "¿la envío",
            "¿la cancelo",
            "¿le sirve",
            "¿le queda bien",
            "¿está bien",
            "¿le parece",
            "¿confirmo",
            "quiere que lo haga",
            "quiere que le",
            "correcto",
        ),
    ),
    (
        "provider",
        (
            "which provider",
            "which doctor",
            "particular provider",
            "particular doctor",
            "preferred provider",
            "provider preference",
            "who would you like to see",
            "any provider",
            "specific provider",
            "qué médico",
            "qué doctor",
        ),
    ),
    (
        "new_patient",
        (
            "new patient",
            "seen here before",
            "seen us before",
            "been here before",
            "visited us before",
            "existing patient",
            "established patient",
            "paciente nuevo",
        ),
    ),
    (
        "medication",
        (
            "which medication",
            "what medication",
            "name of the medication",
            "which prescription",
            "what prescription",
            "medicine",
            "medicamento",
        ),
    ),
    ("pharmacy", ("pharmacy", "farmacia")),
    ("member_id", ("member id", "member number", "id number")),
    ("insurance", ("insurance", "your plan", "which plan", "what plan", "carrier", "seguro")),
    ("email", ("email", "e-mail", "correo")),
    ("address", ("address", "dirección")),
    (
        "reason",
        (
            "reason for",
            "what brings you",
            "kind of visit",
            "type of visit",
            "type of appointment",
            "kind of appointment",
            "what is the visit for",
            "what's the visit for",
            "what can i help",
            "how can i help",
            "what do you need",
            "motivo",
            "tipo de consulta",
            "en qué le puedo ayudar",
        ),
    ),
    (
        "day",
        (
            "what day",
            "which day",
            "when would you like",
            "what date",
            "which date",
            "preferred day",
            "when works",
            "when is good",
            "other day",
            "qué día",
            "otro día",
            "cuándo",
        ),
    ),
    ("time", ("what time", "morning or afternoon", "time of day", "qué hora")),
)

IDENTITY_TOPICS: tuple[Topic, ...] = ("name", "date_of_birth", "phone")


def questions_of(reply: str) -> str:
    """Return the question sentences of ``reply``, or all of it when it has no question."""
    sentences = [s.strip() for s in _SENTENCE_END.split(reply.strip()) if s.strip()]
    asked = [s for s in sentences if "?" in s]
    return " ".join(asked) if asked else " ".join(sentences)


def offered_times(text: str) -> list[str]:
    """Return the times (with their day, when named) that ``text`` offers, in order."""
    return [m.group(0).strip() for m in TIME_PATTERN.finditer(text)]


def clock_minutes(offered: str) -> int | None:
    """Return the minutes after midnight of an offered time, or None without a clock time.

    "Tuesday at 9:15 AM" gives 555, "a las 2:35 de la tarde" 875 and "at noon" 720.
    """
    match = _CLOCK.search(offered)
    if match is None:
        return None
    if match.group("noon"):
        return 12 * 60
    if match.group("half"):
        hour = int(match.group("hour")) % 12
        minute = int(match.group("minute") or 0)
        if match.group("half").casefold() == "p":
            hour += 12
    else:
        hour = int(match.group("es_hour")) % 12
        minute = int(match.group("es_minute") or 0)
        if match.group("es_half").casefold() != "mañana":
            hour += 12
    return hour * 60 + minute


def fits_part_of_day(offered: str, part: PartOfDay) -> bool:
    """Return whether a caller who asked for ``part`` of the day would take ``offered``.

    The windows are a caller's, wider than the slot search's: an afternoon runs to 6 PM, so
    a caller who asked for the afternoon takes 5:40 PM. An offer without a clock time fits.
    """
    minutes = clock_minutes(offered)
    if minutes is None:
        return True
    first, last = _ACCEPTED_HOURS[part]
    return first * 60 <= minutes < last * 60


def preferred_part_of_day(preference: str) -> PartOfDay | None:
    """Return the part of the day a caller's preference names ("Morning, please.")."""
    text = preference.casefold()
    for part, words in _PART_WORDS:
        if any(word in text for word in words):
            return part
    return None


def detect_topics(reply: str) -> list[Topic]:
    """Return what the agent asked for in ``reply``, most specific first.

    Identity topics come together (an agent that asks for "your name and date of birth"
    gets both); otherwise the first matching topic is returned alone. Two or more offered
    times in a question make it a ``slot`` choice, and so does a question without keywords
    after a reply that offers times. An instruction to hang up and call 911 or 988 counts
    wherever it stands, because a caller told so hangs up whatever the agent asks next.
    """
    hang_up_words = dict(_KEYWORDS)["hang_up"]
    if any(word in reply.casefold() for word in hang_up_words):
        return ["hang_up"]
    question = questions_of(reply).casefold()
    if not question:
        return ["other"]
    found = [topic for topic, words in _KEYWORDS if any(w in question for w in words)]
    identity = [t for t in found if t in IDENTITY_TOPICS]
    for ending in ("hang_up", "repeat"):
        if ending in found:
            return [ending]
    if "closing" in found and "?" not in reply:
        return ["closing"]
    found = [t for t in found if t != "closing"]
    if identity:
        return identity
    if len(offered_times(question)) >= 2:
        return ["slot"]
    if found:
        return [found[0]]
    # "I have 9:15 and 10:00 on Tuesday. Which works for you?": the times precede the question.
    return ["slot"] if "?" in reply and offered_times(reply) else ["other"]
