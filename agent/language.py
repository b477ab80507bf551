"""Tell Spanish from English in a caller turn, so replies follow the caller's language.

Speech-to-text gives short, sometimes garbled turns, so one word rarely decides: a turn
switches the call to Spanish when it contains two or more common Spanish words (or asks for
Spanish outright), and back to English only on an explicit request or a turn that is
plainly English. The first turn after the greeting is the exception, because a caller who
simply starts in Spanish ("Hola") must be answered in Spanish: there one unmistakably
Spanish word and no English word switch the call.
"""

from __future__ import annotations

import re

from agent.brain import Language
from agent.safety import fold


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that are Spanish but also common in English turns ("me", "no", "a") are left out.
_SPANISH_WORDS = _words(
    """
    hola buenos buenas dias tardes noches quiero necesito quisiera puedo puede cita citas
    hacer cambiar cancelar mi mis por favor gracias si senor senora doctor doctora receta
    medicina medicamento seguro aseguranza manana lunes martes miercoles jueves viernes
    sabado domingo semana proxima cuando donde esta estan tengo tiene usted llamo nombre
    fecha nacimiento es el la los las una un con para que como hablo espanol ayuda
    farmacia horario direccion estacionamiento mes enero febrero marzo abril mayo junio
    julio agosto septiembre octubre noviembre diciembre nueva nuevo paciente reprogramar
    dolor bien claro eso de del ahora tambien pero duele pecho respirar aire ayuda ayudeme
    morir morirme sangre sangrando esposo esposa hijo hija desmayar mucho muy
    """
)
_ENGLISH_WORDS = _words(
    """
    the and i i'm i'd you your my to is it this that with for have need want would like
    appointment please thank thanks yes yeah what when can could schedule book cancel
    refill insurance morning afternoon next week tomorrow today doctor hi hello
    """
)
# Words no English caller says; one of them is enough in the caller's first turn ("Hola",
# "¿Una cita?"), before the call has any language of its own.
_SPANISH_OPENING_WORDS = _words(
    """
    hola buenos buenas gracias quiero necesito quisiera cita citas ayuda ayudeme receta
    medicina farmacia senor senora puedo hablo usted
    """
)
_ASKS_FOR_SPANISH = re.compile(r"\b(espanol|spanish|en espanol|hablo espanol|habla espanol)\b")
_ASKS_FOR_ENGLISH = re.compile(r"\b(english|ingles|in english|speak english)\b")


def detect_language(text: str, current: Language, *, first_turn: bool = False) -> Language:
    """Return the language the caller is speaking, given the call's language so far.

    Args:
        text: The caller's turn.
        current: The call's language so far.
        first_turn: The turn answers the greeting, so one unmistakably Spanish word and no
            English one switch the call.
    """
    folded = fold(text)
    if _ASKS_FOR_ENGLISH.search(folded) and not _ASKS_FOR_SPANISH.search(folded):
        return "en"
    if _ASKS_FOR_SPANISH.search(folded):
        return "es"
    words = re.findall(r"[a-z']+", folded)
    spanish = sum(1 for word in words if word in _SPANISH_WORDS)
    english = sum(1 for word in words if word in _ENGLISH_WORDS)
    if current == "en" and spanish >= 2 and spanish > english:
        return "es"
    opening = any(word in _SPANISH_OPENING_WORDS for word in words)
    if current == "en" and first_turn and opening and english == 0:
        return "es"
    if current == "es" and english >= 3 and spanish == 0:
        return "en"
    return current
