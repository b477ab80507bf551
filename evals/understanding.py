"""Work out what the agent just asked the caller, from the words of its reply.

The goal-driven caller answers questions from its facts, so it needs to know whether the
agent asked for a name, a date of birth, a day, a yes or no, and so on. Detection is by
keyword on the reply's questions (English and Spanish); it is deliberately simple, and a
reply it cannot place becomes ``other``.
"""

from __future__ import annotations

import re

from evals.scenario import Topic

TIME_PATTERN = re.compile(
    r"\b(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?:,?\s+(?:january|february|march|april|may|june|july|august|september|october"
    r"|november|december)\s+\d{1,2}(?:st|nd|rd|th)?)?,?\s+(?:at\s+)?)?"
    r"\d{1,2}(?::\d{2})?\s*(?:[ap]\.m\.|[ap]m\b)",
    re.IGNORECASE,
)
"""An offered time, with its day when the reply names one: "Tuesday, March 10 at 9:15 AM"."""

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
            "repetir",
            "still there",
            "are you there",
            "sigue ahí",
            "sigue en la línea",
        ),
    ),
    (
        "hang_up",
        ("hang up and call", "call 9 1 1", "call 911", "call 9 8 8", "call 988", "cuelgue"),
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
            "¿está bien",
            "¿le parece",
            "¿confirmo",
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
            "qué día",
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


def detect_topics(reply: str) -> list[Topic]:
    """Return what the agent asked for in ``reply``, most specific first.

    Identity topics come together (an agent that asks for "your name and date of birth"
    gets both); otherwise the first matching topic is returned alone. Two or more offered
    times in a question make it a ``slot`` choice, and so does a question without keywords
    after a reply that offers times.
    """
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
