"""Yes, no and corrections in reply to a read-back or a yes-or-no question.

A yes commits what was read back, so it counts only when the whole turn affirms: "yes",
"yes please", "that's right, thank you", "sí, por favor". A yes word followed by anything
else is not a yes. A question or a hesitation after it ("okay, what time was that?",
"yes, wait") makes the reply unclear. A new value or a "but" ("yes, Thursday instead", "sí,
pero mejor el jueves") makes it a correction. "no, Thursday" is a correction too: the
caller denies the value read back and gives a new one, which stays in
:attr:`Answer.remainder` for the date, time or name parsers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class AnswerKind(StrEnum):
    """Kind of reply to a yes-or-no question."""

    AFFIRM = "affirm"
    DENY = "deny"
    CORRECTION = "correction"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Answer:
    """A classified reply.

    Attributes:
        kind: Yes, no, a correction, or unclear.
        remainder: What the caller said after the yes or no ("Thursday" in "no, Thursday");
            the whole text when it is unclear.
    """

    kind: AnswerKind
    remainder: str


def _phrases(*options: str) -> re.Pattern[str]:
    """Compile phrases to match at the start of a reply, longest first, as whole words."""
    ordered = sorted(options, key=len, reverse=True)
    alternatives = "|".join(re.escape(option).replace(r"\ ", r"\s+") for option in ordered)
    return re.compile(rf"(?:{alternatives})(?![\w'])", re.IGNORECASE)


def _words(*options: str) -> re.Pattern[str]:
    """Compile words or phrases to find anywhere in a reply, as whole words."""
    ordered = sorted(options, key=len, reverse=True)
    alternatives = "|".join(re.escape(option).replace(r"\ ", r"\s+") for option in ordered)
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])", re.IGNORECASE)


_UNSURE = _phrases(
    "not sure", "i'm not sure", "im not sure", "i am not sure", "i don't know", "i dont know",
    "maybe", "i guess not", "hold on", "wait", "hang on", "one moment", "let me check",
)  # fmt: skip
# Phrases that start with "no" but agree.
_AGREEING_NO = _phrases("no problem", "no worries", "no doubt", "no objection", "not a problem")
_DENY = _phrases(
    "no", "nope", "nah", "no thanks", "no thank you", "no way", "not really", "not that one",
    "not quite", "not that", "that's not right", "that is not right", "that's not correct",
    "that is not correct", "that's wrong", "that is wrong", "wrong", "incorrect", "negative",
    "i don't think so", "i dont think so", "don't", "do not", "please don't", "cancel that",
    "never mind", "nevermind", "no it's not", "no it isn't", "it's not", "it isn't",
    "too early", "too late", "that's too early", "that's too late", "it's too early",
    "it's too late", "doesn't work", "does not work", "won't work", "that doesn't work",
    "that does not work", "that won't work", "no quiero", "mejor no", "todavía no", "ahora no",
    "no es correcto", "no está bien", "no es así", "no me sirve", "no me queda bien",
)  # fmt: skip
_AFFIRM_WORDS = (
    "yes", "yes please", "yeah", "yep", "yup", "ya", "yah", "yes ma'am", "yes sir", "sure",
    "sure thing", "of course", "certainly", "correct", "that's correct", "that is correct",
    "that's right", "that is right", "right", "exactly", "absolutely", "definitely",
    "please do", "go ahead", "go for it", "do it", "sounds good", "that sounds good",
    "that works", "works for me", "that's fine", "that is fine", "fine", "perfect", "great",
    "ok", "okay", "alright", "all right", "uh huh", "uh-huh", "mm hmm", "mhm", "affirmative",
    "book it", "that's it", "that's the one", "you got it", "i do", "it is", "it does",
    "please", "sí", "si", "claro", "correcto", "está bien", "esta bien", "vale",
    "perfecto", "de acuerdo", "exacto", "así es", "muy bien", "claro que sí",
)  # fmt: skip
_AFFIRM = _phrases(*_AFFIRM_WORDS)
# What may follow a yes in a reply that is still a plain yes: more agreement, thanks,
# goodbyes and a go-ahead that repeats a read-back's own verb ("Shall I cancel it?", "yes,
# cancel it"). NOTE: the classifier does not see which read-back was spoken, so "yes, cancel
# it" also counts as a yes to "Shall I book it?".
_CONFIRMING_PHRASE = _phrases(
    *_AFFIRM_WORDS,
    "thanks", "thank you", "thanks so much", "thank you so much", "thank you very much",
    "thanks a lot", "many thanks", "much appreciated", "appreciate it", "i appreciate it",
    "sir", "ma'am", "sorry", "no problem", "no worries", "that's all", "that's everything",
    "bye", "bye bye", "goodbye", "have a good day", "have a nice day", "have a great day",
    "please go ahead", "go ahead and book it", "you can book it", "book that", "book me in",
    "schedule it", "reserve it", "send it", "cancel it", "move it", "reschedule it",
    "do that", "let's do it", "let's do that",
    "confirm", "confirmed", "i confirm", "that works for me", "that works great",
    "sounds great", "sounds perfect", "that sounds great", "that's good", "that's great",
    "that's perfect", "that's fine with me", "fine by me", "good", "very good", "wonderful",
    "lovely", "awesome", "excellent", "cool", "i'd like that", "i would like that",
    "that'd be great", "that would be great", "yes it is", "i'm sure", "im sure",
    "i am sure", "gracias", "muchas gracias", "mil gracias", "por favor", "señor", "señora",
    "señorita", "adiós", "perfecta", "está perfecto", "me parece bien",
    "me parece perfecto", "exactamente", "adelante", "hágalo", "hazlo", "resérvela",
    "resérvelo", "resérvala", "resérvalo", "envíela", "envíelo", "cancélela", "cancélelo",
    "cámbiela", "cámbielo", "con gusto", "cómo no",
)  # fmt: skip
_SEPARATOR = r"[\s,.;:!¡\-–—]"
# A whole reply after the yes that affirms and contains no question. "and" and "um" may come before
# a phrase but may not end the reply: "yes, and..." is cut off, not finished.
_CONFIRMING = re.compile(
    rf"(?:{_SEPARATOR}|(?:\b(?:and|y|um+|uh+|er+|erm)\b{_SEPARATOR}*)*"
    rf"(?:{_CONFIRMING_PHRASE.pattern}))*",
    re.IGNORECASE,
)
# After a yes, these keep the reply from committing and make it unclear.
_HESITATION = _words(
    "wait", "hold on", "hang on", "one moment", "one sec", "one second", "just a moment",
    "just a second", "just a minute", "a moment", "a sec", "a second", "let me", "lemme",
    "let's see", "think", "thinking", "check", "checking", "not sure", "unsure",
    "don't know", "dont know", "maybe", "perhaps", "i guess", "probably", "hmm", "hmmm",
    "espere", "espera", "espéreme", "espérame", "un momento", "momento", "un segundo",
    "déjeme", "déjame", "pensar", "pensarlo", "pienso", "revisar", "reviso", "no sé",
    "no estoy seguro", "no estoy segura", "a ver", "quizá", "quizás", "tal vez", "a lo mejor",
)  # fmt: skip
_QUESTION_START = _phrases(
    "what", "when", "where", "which", "who", "whom", "whose", "why", "how", "is", "are", "was",
    "were", "am", "do", "does", "did", "can", "could", "will", "would", "should", "shall",
    "may", "might", "qué", "cuándo", "cuál", "cuáles", "dónde", "cómo", "quién", "por qué",
    "cuánto", "cuánta",
)  # fmt: skip
# After a yes, these turn the reply into a correction: a "but", a negation or a new value.
_CORRECTION_WORD = _words(
    "instead", "but", "actually", "rather", "except", "although", "however", "prefer",
    "change", "different", "another", "other", "earlier", "later", "not", "no", "i meant",
    "i mean", "pero", "mejor", "en vez", "en lugar", "más bien", "prefiero", "cambiar",
    "otro", "otra", "más tarde", "más temprano",
)  # fmt: skip
_NEW_VALUE = _words(
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "june", "july", "august", "september", "october",
    "november", "december", "am", "pm", "a.m", "p.m", "o'clock", "noon", "midnight",
    "morning", "afternoon", "evening", "tonight", "today", "tomorrow", "week", "weekend",
    "month", "dr", "doctor", "doctora", "lunes", "martes", "miércoles", "jueves", "viernes",
    "sábado", "domingo", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
    "agosto", "septiembre", "octubre", "noviembre", "diciembre", "mañana", "tarde", "noche",
    "mediodía", "hoy", "semana",
)  # fmt: skip
_DIGIT = re.compile(r"\d")
_CORRECTION_LEAD_OPTIONS = (
    "actually", "but", "although", "except", "instead", "rather", "make it", "change it to",
    "i meant", "i said", "i mean", "how about", "what about", "can we do", "could we do",
    "can you make it", "could you make it", "it should be", "not", "sorry",
)  # fmt: skip
_CORRECTION_LEAD = _phrases(*_CORRECTION_LEAD_OPTIONS)
# Leads dropped from a correction that follows a yes, in English and Spanish.
_CORRECTION_LEAD_AFTER_YES = _phrases(
    *_CORRECTION_LEAD_OPTIONS, "so", "and", "then", "y", "entonces", "pues", "pero", "mejor",
    "más bien", "prefiero", "en vez de eso", "en lugar de eso",
)  # fmt: skip
_FILLER = re.compile(
    r"(?:\s|[,.;:!?\-]|\b(?:um+|uh+(?![\s-]*huh)|er+|erm|hmm+|well|oh)\b)*", re.IGNORECASE
)
# A no that refuses an action; what follows restates the action, not a new value.
_REFUSAL = _phrases("don't", "do not", "please don't", "cancel that", "never mind", "nevermind")
_POLITE_ONLY = re.compile(
    r"(?:\s|[,.;:!?\-]|\b(?:thanks|thank\s+you|please|sorry|that's\s+all|it|is|that|one|"
    r"again|then|for\s+now|for\s+me|very\s+much|so\s+much|gracias|por\s+favor|para\s+mí)\b)*",
    re.IGNORECASE,
)


def classify_answer(text: str) -> Answer:
    """Classify a reply as yes, no, a correction or unclear.

    The reply is read from its start, after fillers such as "um" or "well". A yes counts
    only when the rest of the turn affirms too, with at most thanks or a go-ahead ("yes
    please", "perfect, go ahead"), and when the turn contains no question mark. "yes but at
    10" is a correction with remainder "at 10", "yes wait" and "sure, what is the address?"
    are unclear, "no, Thursday" is a correction with remainder "Thursday", and "no thank
    you" is a plain no.

    Args:
        text: What the caller said after a yes-or-no question.

    Returns:
        The kind and the words after the yes or no.
    """
    text = text.replace("’", "'")
    start = _FILLER.match(text)
    rest = text[start.end() if start else 0 :]
    if _UNSURE.match(rest):
        return Answer(AnswerKind.UNCLEAR, text.strip())
    agreeing = _AGREEING_NO.match(rest)
    if agreeing:
        return _after_affirm(text, rest[agreeing.end() :])
    deny = _DENY.match(rest)
    if deny and _REFUSAL.fullmatch(deny.group()):
        return Answer(AnswerKind.DENY, _strip_fillers(rest[deny.end() :]))
    if deny:
        return _after_deny(rest[deny.end() :])
    affirm = _AFFIRM.match(rest)
    if affirm:
        return _after_affirm(text, rest[affirm.end() :])
    if _CORRECTION_LEAD.match(rest):
        remainder = _drop_correction_lead(rest)
        if remainder and not _POLITE_ONLY.fullmatch(remainder):
            return Answer(AnswerKind.CORRECTION, remainder)
    return Answer(AnswerKind.UNCLEAR, text.strip())


def _strip_fillers(text: str) -> str:
    match = _FILLER.match(text)
    return text[match.end() if match else 0 :].strip()


def _after_deny(rest: str) -> Answer:
    remainder = _strip_fillers(rest)
    # "no, no, not that one": further denials add nothing.
    while (again := _DENY.match(remainder)) is not None:
        remainder = _strip_fillers(remainder[again.end() :])
    if _POLITE_ONLY.fullmatch(remainder):
        return Answer(AnswerKind.DENY, remainder)
    return Answer(AnswerKind.CORRECTION, _drop_correction_lead(remainder))


def _after_affirm(text: str, rest: str) -> Answer:
    """Classify the words after a leading yes, which stays a yes only before thanks or agreement."""
    unclear = Answer(AnswerKind.UNCLEAR, text.strip())
    # "right?" and "yes?" are questions, so a question mark anywhere rules out a yes.
    is_question = "?" in text or "¿" in text
    if not is_question and _CONFIRMING.fullmatch(rest):
        return Answer(AnswerKind.AFFIRM, _strip_fillers(rest))
    remainder = _strip_fillers(rest)
    if is_question or _HESITATION.search(remainder) or _QUESTION_START.match(remainder):
        return unclear
    if _DENY.match(remainder) and not _AFFIRM.match(remainder):
        # "yeah, no, Thursday": the no that follows wins.
        return classify_answer(remainder)
    if not (
        _CORRECTION_WORD.search(remainder)
        or _NEW_VALUE.search(remainder)
        or _DIGIT.search(remainder)
    ):
        return unclear
    corrected = _drop_correction_lead(remainder, _CORRECTION_LEAD_AFTER_YES)
    if not corrected or _POLITE_ONLY.fullmatch(corrected):
        return unclear
    return Answer(AnswerKind.CORRECTION, corrected)


def _drop_correction_lead(text: str, leads: re.Pattern[str] = _CORRECTION_LEAD) -> str:
    """Strip leads such as "actually, I meant"; keep "not", which the new value needs."""
    while (lead := leads.match(text)) is not None:
        if lead.group().lower() == "not":
            break
        text = _strip_fillers(text[lead.end() :])
    return text
