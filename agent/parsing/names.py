"""Patient names: spelled out letter by letter, or introduced ("my name is ...", "me llamo ...")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from agent.parsing.spanish import fold_spanish


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LETTER = r"[^\W\d_]"
# One spelled unit: "P as in Peter", "double L", a lone letter, or a spelled punctuation mark.
_SPELLED_UNIT = re.compile(
    rf"\b(?P<as_in>{_LETTER})\s+(?:as|like)\s+in\s+{_LETTER}+\b"
    rf"|\bdouble[\s-]+(?P<double>{_LETTER})\b"
    rf"|(?<![\w'’])(?P<letter>{_LETTER})(?![\w'’])"
    r"|\b(?P<mark>apostrophe|hyphen|dash)\b",
    re.IGNORECASE,
)
# Text allowed between two spelled units of one name.
_SPELLING_GAP = re.compile(r"[\s,.\-]*")

_NAME_TOKEN = rf"{_LETTER}+(?:['’\-]{_LETTER}+)*\.?"
_INTRODUCTION = re.compile(
    r"\b(?:my\s+name\s+is|my\s+name's|name\s+is|name's|this\s+is|it's|it\s+is|i\s+am|i'm|"
    r"the\s+patient\s+is|patient's\s+name\s+is|patient\s+name\s+is|you're\s+speaking\s+with|"
    r"you\s+are\s+speaking\s+with|call\s+me|me\s+llamo|mi\s+nombre\s+(?:completo\s+)?es|"
    r"(?:le\s+)?habla|soy|el\s+paciente\s+es|la\s+paciente\s+es)\s+",
    re.IGNORECASE,
)
# Words that end a name or show the words after an introduction are not one.
_NOT_NAME_WORDS = _words(
    """
    a an the and or but so i i'm im my me we you your his her their our from with here
    speaking calling call looking trying going hoping wondering checking interested having
    just still not no yes yeah sure fine good great okay ok well um uh please thanks thank
    about to for at on in of is was am are be born date dob phone number birthday birth sorry
    new patient doctor dr appointment really actually again also next this today tomorrow
    morning afternoon evening monday tuesday wednesday thursday friday saturday sunday
    y e o u mi mis su sus es soy el un una me te se le lo con para por favor hola buenos
    buenas dias tardes noches gracias si senor senora senorita doctora paciente nuevo nueva
    naci nacimiento fecha cita quiero necesito quisiera tengo llamo llamando hablando aqui
    esposo esposa marido hijo hija mama papa madre padre espanol ingles
    """
)
# Particles inside Spanish and other family names ("María de la Cruz"), never the first word.
_NAME_PARTICLES = _words("de del la las los")
_MAX_NAME_WORDS = 4


@dataclass(frozen=True)
class PersonName:
    """A caller's or patient's name as said.

    Attributes:
        given: The first name.
        family: The last name said.
        middle: Any words between the two: a middle name, or the first of two family
            names ("Maria Garcia Lopez"); chart matching should try it both ways.
    """

    given: str
    family: str
    middle: str | None = None

    @property
    def full(self) -> str:
        """The name as one string, in the order said."""
        return " ".join(part for part in (self.given, self.middle, self.family) if part)


def parse_spelled_name(text: str) -> str | None:
    """Parse a name spelled letter by letter: "P-A-T-E-L", "s m i t h", "O apostrophe B...".

    "That's Smith, S M I T H" gives "Smith": the longest run of spelled letters wins, and
    "P as in Peter" and "double L" count as letters.

    Args:
        text: What the caller said.

    Returns:
        The name with a capital after each hyphen or apostrophe, or None when fewer than two
        letters are spelled in a row.
    """
    best: list[str] = []
    current: list[str] = []
    previous_end: int | None = None
    for match in _SPELLED_UNIT.finditer(text):
        joined = previous_end is not None and _SPELLING_GAP.fullmatch(
            text[previous_end : match.start()]
        )
        if not joined:
            current = []
        current.append(_spelled(match))
        previous_end = match.end()
        if _letter_count(current) >= _letter_count(best):
            best = list(current)
    if _letter_count(best) < 2:
        return None
    return _capitalize("".join(best).strip("-'"))


def parse_full_name(text: str) -> PersonName | None:
    """Parse a full name: "my name is Maria Garcia-Lopez", "this is John O'Brien", or a bare
    "Lan Nguyen"; "it's Nguyen, Lan" is read family name first.

    Args:
        text: What the caller said.

    Returns:
        The name, or None when ``text`` holds no name of at least two words.
    """
    text = _without_symbols(text)
    for introduction in _INTRODUCTION.finditer(text):
        name = _name_at_start(text[introduction.end() :], introduced=True)
        if name is not None:
            return name
    return _name_at_start(text.strip(), introduced=False)


def _name_at_start(text: str, *, introduced: bool) -> PersonName | None:
    reversed_name = re.fullmatch(
        rf"\s*(?P<family>{_NAME_TOKEN}),\s*(?P<given>{_NAME_TOKEN})\s*[.!]?\s*", text
    )
    if reversed_name and not _has_non_name(reversed_name["family"], reversed_name["given"]):
        return PersonName(_capitalize(reversed_name["given"]), _capitalize(reversed_name["family"]))
    words = _leading_name_words(text)
    if len(words) < 2 or not (introduced or _only_name(text, words)):
        return None
    names = [
        word.lower() if word.lower() in _NAME_PARTICLES else _capitalize(word) for word in words
    ]
    return PersonName(names[0], names[-1], " ".join(names[1:-1]) or None)


def _without_symbols(text: str) -> str:
    """Replace emoji and other symbols, which a chat may send, with spaces."""
    return "".join(
        " " if unicodedata.category(char)[0] == "S" or char in _INVISIBLE else char for char in text
    )


# The emoji variation selector and zero-width joiner, which are not symbols themselves.
_INVISIBLE = frozenset("\ufe0f\u200d")


def _spelled(match: re.Match[str]) -> str:
    if match["as_in"]:
        return match["as_in"]
    if match["double"]:
        return match["double"] * 2
    if match["mark"]:
        return "'" if match["mark"].lower() == "apostrophe" else "-"
    return match["letter"]


def _letter_count(parts: list[str]) -> int:
    return sum(1 for part in "".join(parts) if part.isalpha())


def _capitalize(name: str) -> str:
    """Capitalize each part of a name said all in one case; keep "McDonald" as said."""
    name = name.rstrip(".")
    if name != name.lower() and name != name.upper():
        return name
    return re.sub(rf"{_LETTER}+", lambda part: part.group().capitalize(), name.lower())


def _has_non_name(*words: str) -> bool:
    return any(fold_spanish(word).rstrip(".") in _NOT_NAME_WORDS for word in words)


def _leading_name_words(text: str) -> list[str]:
    """Return the name words at the start of ``text``, up to a pause or a non-name word."""
    words: list[str] = []
    for match in re.finditer(rf"{_NAME_TOKEN}|\S", text):
        word = match.group()
        if not re.fullmatch(_NAME_TOKEN, word) or _has_non_name(word):
            break
        if not words and word.lower() in _NAME_PARTICLES:
            break
        words.append(word)
        if len(words) == _MAX_NAME_WORDS or (word.endswith(".") and len(word) > 2):
            break
    while words and words[-1].lower() in _NAME_PARTICLES:
        words.pop()
    return words


def _only_name(text: str, words: list[str]) -> bool:
    """Return True if ``text`` is just the name words and punctuation."""
    leftover = text
    for word in words:
        leftover = leftover.replace(word, " ", 1)
    return re.fullmatch(r"[\s,.!?]*", leftover) is not None
