"""Yes, no and corrections in reply to a read-back or a yes-or-no question.

"no, Thursday" is a correction: the caller denies the value read back and gives a new one,
which stays in :attr:`Answer.remainder` for the date, time or name parsers.
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
)  # fmt: skip
_AFFIRM = _phrases(
    "yes", "yes please", "yeah", "yep", "yup", "ya", "yah", "yes ma'am", "yes sir", "sure",
    "sure thing", "of course", "certainly", "correct", "that's correct", "that is correct",
    "that's right", "that is right", "right", "exactly", "absolutely", "definitely",
    "please do", "go ahead", "go for it", "do it", "sounds good", "that sounds good",
    "that works", "works for me", "that's fine", "that is fine", "fine", "perfect", "great",
    "ok", "okay", "alright", "all right", "uh huh", "uh-huh", "mm hmm", "mhm", "affirmative",
    "book it", "that's it", "that's the one", "you got it", "i do", "it is", "it does",
    "please", "sí", "si", "claro", "correcto", "está bien", "esta bien", "vale",
)  # fmt: skip
_CORRECTION_LEAD = _phrases(
    "actually", "but", "although", "except", "instead", "rather", "make it", "change it to",
    "i meant", "i said", "i mean", "how about", "what about", "can we do", "could we do",
    "can you make it", "could you make it", "it should be", "not", "sorry",
)  # fmt: skip
_FILLER = re.compile(
    r"(?:\s|[,.;:!?\-]|\b(?:um+|uh+(?![\s-]*huh)|er+|erm|hmm+|well|oh)\b)*", re.IGNORECASE
)
# A no that refuses an action; what follows restates the action, not a new value.
_REFUSAL = _phrases("don't", "do not", "please don't", "cancel that", "never mind", "nevermind")
_POLITE_ONLY = re.compile(
    r"(?:\s|[,.;:!?\-]|\b(?:thanks|thank\s+you|please|sorry|that's\s+all|it|is|that|one|"
    r"again|then|for\s+now|very\s+much|so\s+much|gracias|por\s+favor)\b)*",
    re.IGNORECASE,
)


def classify_answer(text: str) -> Answer:
    """Classify a reply as yes, no, a correction or unclear.

    Only the start of the reply counts, after fillers such as "um" or "well": "no, Thursday"
    is a correction with remainder "Thursday", "yes but at 10" a correction with remainder
    "at 10", "no thank you" a plain no.

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
        return _after_affirm(rest[agreeing.end() :])
    deny = _DENY.match(rest)
    if deny and _REFUSAL.fullmatch(deny.group()):
        return Answer(AnswerKind.DENY, _strip_fillers(rest[deny.end() :]))
    if deny:
        return _after_deny(rest[deny.end() :])
    affirm = _AFFIRM.match(rest)
    if affirm:
        return _after_affirm(rest[affirm.end() :])
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


def _after_affirm(rest: str) -> Answer:
    remainder = _strip_fillers(rest)
    if _DENY.match(remainder) and not _AFFIRM.match(remainder):
        # "yeah, no, Thursday": the no that follows wins.
        return classify_answer(remainder)
    lead = _CORRECTION_LEAD.match(remainder)
    if lead and lead.group().lower() != "sorry":
        corrected = _drop_correction_lead(remainder)
        if corrected and not _POLITE_ONLY.fullmatch(corrected):
            return Answer(AnswerKind.CORRECTION, corrected)
    return Answer(AnswerKind.AFFIRM, remainder)


def _drop_correction_lead(text: str) -> str:
    """Strip leads such as "actually, I meant"; keep "not", which the new value needs."""
    while (lead := _CORRECTION_LEAD.match(text)) is not None:
        if lead.group().lower() == "not":
            break
        text = _strip_fillers(text[lead.end() :])
    return text
