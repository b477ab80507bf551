"""Spanish number words and month names, as speech-to-text writes them.

:func:`spanish_numbers` turns each run of number words into one cardinal, so
"veintidós de septiembre de mil novecientos ochenta y cinco" becomes
"veintidos de septiembre de 1985" (the text is folded: lower case, no accents). A word that
cannot continue the number before it starts a new one: "nueve quince" is "9 15", while
"dos mil tres" is 2003 and "treinta y uno" is 31.

Some Spanish number words are English words too ("once", "un"), so callers of this module
use its output only for Spanish patterns such as "<day> de <month> de <year>".
"""

from __future__ import annotations

import re
import unicodedata

SPANISH_MONTHS: dict[str, int] = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
}  # fmt: skip

_UNITS = {
    "cero": 0, "un": 1, "uno": 1, "una": 1, "primero": 1, "primer": 1, "dos": 2, "tres": 3,
    "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
}  # fmt: skip
# Numbers written as one word from 10 to 29 ("veintidos"), which take no units after them.
_WHOLE = {
    "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15,
    "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20,
    "veintiun": 21, "veintiuno": 21, "veintiuna": 21, "veintidos": 22, "veintitres": 23,
    "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27,
    "veintiocho": 28, "veintinueve": 29,
}  # fmt: skip
_TENS = {
    "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
    "ochenta": 80, "noventa": 90,
}  # fmt: skip
_HUNDREDS = {
    "cien": 100, "ciento": 100, "doscientos": 200, "trescientos": 300, "cuatrocientos": 400,
    "quinientos": 500, "seiscientos": 600, "setecientos": 700, "ochocientos": 800,
    "novecientos": 900,
}  # fmt: skip
_HUNDREDS.update({word[:-2] + "as": value for word, value in _HUNDREDS.items() if value > 100})
_THOUSAND = "mil"

_NUMBER_WORDS = frozenset(_UNITS) | frozenset(_WHOLE) | frozenset(_TENS) | frozenset(_HUNDREDS)
SPANISH_NUMBER_WORD = re.compile(
    r"\b(?:" + "|".join(sorted(_NUMBER_WORDS | {_THOUSAND}, key=len, reverse=True)) + r")\b"
)
"""Matches one Spanish number word in folded text."""

SPANISH_DATE_START = re.compile(
    rf"(?:{SPANISH_NUMBER_WORD.pattern}(?:\s+(?:y\s+)?{SPANISH_NUMBER_WORD.pattern})*|\d{{1,2}})"
    r"\s+de\s+(?:" + "|".join(SPANISH_MONTHS) + r")\b"
)
"""Matches the start of a Spanish date in folded text: "veintidos de septiembre"."""

_TOKEN = re.compile(r"[a-z]+|\d+|[^a-z\d]+")


def fold_spanish(text: str) -> str:
    """Lower-case ``text`` and drop its accents: "Veintidós" becomes "veintidos"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def spanish_numbers(text: str) -> str:
    """Fold ``text`` and replace each run of Spanish number words with its digits.

    Args:
        text: What the caller said.

    Returns:
        The folded text with numbers as digits: "el primero de mayo" becomes "el 1 de mayo".
    """
    tokens = _TOKEN.findall(fold_spanish(text))
    output: list[str] = []
    index = 0
    while index < len(tokens):
        value, used = _number_at(tokens, index)
        if used == 0:
            output.append(tokens[index])
            index += 1
            continue
        output.append(str(value))
        index += used
    return "".join(output)


def _number_at(tokens: list[str], index: int) -> tuple[int, int]:
    """Read the number that starts at ``tokens[index]``: its value and the tokens it used."""
    if tokens[index].isspace():
        return 0, 0
    thousands = 0
    current = 0
    # The smallest place filled so far: 100 after "ciento", 10 after a tens word, 1 after a
    # unit or a whole word. The next word must fill a smaller place, or be "mil".
    place = 1000
    seen_thousand = False
    used = 0
    position = index
    while position < len(tokens):
        word = tokens[position]
        if word.isspace():
            position += 1
            continue

        if word == _THOUSAND and not seen_thousand:
            thousands = (current or 1) * 1000
            current, place, seen_thousand = 0, 1000, True
        elif word in _HUNDREDS and place > 100:
            current += _HUNDREDS[word]
            place = 100
        elif word in _TENS and place > 10:
            current += _TENS[word]
            place = 10
            if _is_y_unit(tokens, position):
                current += _UNITS[tokens[position + 4]]
                place = 1
                position += 4
        elif word in _WHOLE and place > 10:
            current += _WHOLE[word]
            place = 1
        elif word in _UNITS and place > 1:
            current += _UNITS[word]
            place = 1
        else:
            break

        position += 1
        used = position - index
    return thousands + current, used


def _is_y_unit(tokens: list[str], position: int) -> bool:
    """Return whether "y <unit>" follows the tens word at ``position`` ("treinta y uno")."""
    if position + 4 >= len(tokens):
        return False
    return (
        tokens[position + 1].isspace()
        and tokens[position + 2] == "y"
        and tokens[position + 3].isspace()
        and tokens[position + 4] in _UNITS
    )
