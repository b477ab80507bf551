"""Slot values in a caller's words: provider, visit type, dates, times, medication, pharmacy.

Every function returns None when it finds nothing, never raises, and leaves the checking to
the tools (a provider or payer the clinic lacks is reported by the tool's own result).
Spanish date words are put into English first, because :mod:`tools.datetimes` resolves
English phrases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from rapidfuzz import fuzz

from agent.facts import ClinicFacts, ProviderFacts
from agent.parsing import parse_ordinal
from agent.safety import fold
from tools.datetimes import resolve_date, resolve_time

ANY_PROVIDER = "any"

_ANYONE = re.compile(
    r"\b(any ?one|any ?body|any provider|whoever|whichever|doesn'?t matter|don'?t care|no "
    r"preference|first available|cualquier(a| doctor| medico)|no importa|me da igual)\b"
)
_EARLIEST = re.compile(
    r"\b(earliest|soonest|first (available|opening)|next available|as soon as (possible|you "
    r"can)|asap|right away|lo antes posible|lo mas pronto|cuanto antes|la primera (cita )?"
    r"disponible|(el )?primer dia (que tenga|disponible|libre)|lo primero que tenga|la primera"
    r" que tenga)\b"
)
_ANY_TIME = re.compile(
    r"\b(any ?time|any day|whenever|doesn'?t matter|flexible|cualquier (dia|hora|momento))\b"
)

# Keywords for the demo clinic's visit-type codes; a code missing from the clinic is skipped.
_TYPE_KEYWORDS: list[tuple[str, re.Pattern[str]]] = [
    ("new_patient", re.compile(
        r"\b(new patient|first (visit|appointment)|establish(ing)? care|get established|new "
        r"to the (area|clinic|practice)|paciente nuev[oa]|nuev[oa] paciente|primera (cita|"
        r"consulta))\b"
    )),
    ("well_child", re.compile(
        r"\b(well[- ]?(child|baby|kid)|(son|daughter|child|kid|baby)'?s? (check ?up|physical|"
        r"shots|vaccines)|nino sano|control del nino)\b"
    )),
    ("annual_physical", re.compile(
        r"\b(physical|annual|yearly|check ?up|wellness|chequeo|examen fisico|fisico)\b"
    )),
    ("medication_review", re.compile(
        r"\b(medication review|review (my|of my) (meds|medications)|revision de medicamentos)\b"
    )),
    ("telehealth", re.compile(
        r"\b(telehealth|telemedicine|video|virtual|online visit|phone visit|televisita|"
        r"videollamada)\b"
    )),
    ("procedure", re.compile(
        r"\b(procedure|mole|wart|stitches|sutures?|biopsy|skin tag|cyst|procedimiento|lunar|"
        r"verruga|puntos)\b"
    )),
    ("follow_up", re.compile(
        r"\b(follow[- ]?up|followup|check on (my|the)|recheck|blood pressure check|go over my|"
        r"seguimiento|control)\b"
    )),
    ("sick_visit", re.compile(
        r"\b(sick|ill|fever|cough|cold|flu|sore throat|ear ?ache|ear infection|rash|not "
        r"feeling (well|good)|infection|pain|hurts?|vomit\w*|diarrhea|sinus|uti|enferm[oa]|"
        r"fiebre|tos|gripe|dolor|infeccion|me siento mal)\b"
    )),
]  # fmt: skip

_SPANISH_MONTHS = (
    r"(enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|"
    r"diciembre)"
)
_SPANISH_DATE_WORDS: list[tuple[str, str]] = [
    (rf"\b(\d{{1,2}}) de {_SPANISH_MONTHS} (?:de|del) (\d{{4}})\b", r"\2 \1 \3"),
    (r"\bpasado manana\b", "the day after tomorrow"),
    (r"\b(en|por|de) la manana\b", "in the morning"),
    (r"\b(en|por|de) la tarde\b", "in the afternoon"),
    (r"\b(en|por|de) la noche\b", "in the evening"),
    (r"\bmanana\b", "tomorrow"),
    (r"\bhoy\b", "today"),
    (r"\b(la )?(proxima semana|semana que viene|siguiente semana)\b", "next week"),
    (r"\besta semana\b", "this week"),
    (r"\b(el )?proximo (lunes|martes|miercoles|jueves|viernes|sabado|domingo)\b", r"next \2"),
    (r"\beste (lunes|martes|miercoles|jueves|viernes|sabado|domingo)\b", r"this \1"),
    (r"\blunes\b", "monday"), (r"\bmartes\b", "tuesday"), (r"\bmiercoles\b", "wednesday"),
    (r"\bjueves\b", "thursday"), (r"\bviernes\b", "friday"), (r"\bsabado\b", "saturday"),
    (r"\bdomingo\b", "sunday"),
    (rf"\b(\d{{1,2}}) de {_SPANISH_MONTHS}\b", r"\2 \1"),
    (r"\benero\b", "january"), (r"\bfebrero\b", "february"), (r"\bmarzo\b", "march"),
    (r"\babril\b", "april"), (r"\bmayo\b", "may"), (r"\bjunio\b", "june"),
    (r"\bjulio\b", "july"), (r"\bagosto\b", "august"), (r"\bseptiembre\b", "september"),
    (r"\boctubre\b", "october"), (r"\bnoviembre\b", "november"), (r"\bdiciembre\b", "december"),
    (r"\ba las (\d{1,2})(?::(\d{2}))?\b", r"at \1:\2"),
    (r"\bdespues de las (\d{1,2})\b", r"after \1"),
    (r"\bantes de las (\d{1,2})\b", r"before \1"),
    (r"\bmediodia\b", "noon"),
]  # fmt: skip


def english_dates(text: str) -> str:
    """Rewrite Spanish date and time words in ``text`` as the English the resolvers read."""
    folded = fold(text)
    for pattern, replacement in _SPANISH_DATE_WORDS:
        folded = re.sub(pattern, replacement, folded)
    return re.sub(r"at (\d{1,2}):(?=\D|$)", r"at \1", folded)


@dataclass
class WhenPreference:
    """When the caller wants to come in, as find_open_slots takes it."""

    date_from: date | None = None
    date_to: date | None = None
    time_of_day: str = "any"
    earliest_time: time | None = None
    latest_time: time | None = None
    exact_time: time | None = None
    earliest: bool = False

    @property
    def given(self) -> bool:
        """Whether the caller said anything about when."""
        return bool(
            self.date_from or self.earliest or self.exact_time or self.earliest_time
            or self.latest_time or self.time_of_day != "any"
        )  # fmt: skip


_CLAUSE_BREAK = re.compile(r"[.;!?]|,|\b(?:but|instead|rather|actually|so)\b")
_REJECTS = re.compile(
    r"\b(won'?t|will not|can'?t|cannot|doesn'?t|does not|isn'?t|not|no good|bad|busy|"
    r"no puedo|no me (sirve|queda)|no)\b"
)


def when_in(text: str, *, today: date) -> WhenPreference | None:
    """Find a day, time of day or "earliest" in ``text``.

    In "Wednesday won't work, can we do Thursday instead?" the day kept is the one not
    rejected: clauses are read from the last, and a clause that rejects its day is skipped.
    """
    english = english_dates(text)
    preference = WhenPreference()
    found = False
    clauses = [c for c in _CLAUSE_BREAK.split(english) if c and c.strip()]
    day = None
    clock = None
    for clause in reversed(clauses or [english]):
        if _REJECTS.search(clause):
            continue
        day = day or resolve_date(clause, today=today)
        clock = clock or resolve_time(clause)
    if day is None and clock is None and not _REJECTS.search(english):
        day, clock = resolve_date(english, today=today), resolve_time(english)
    if day is not None:
        preference.date_from, preference.date_to = day.start, day.end
        found = True
    if clock is not None:
        found = True
        _apply_clock(preference, clock.start, clock.end)
    if _EARLIEST.search(english) or _ANY_TIME.search(english):
        preference.earliest = True
        found = True
    return preference if found else None


def _apply_clock(preference: WhenPreference, start: time, end: time) -> None:
    if start == end:
        preference.exact_time = start
        return
    if start == time(0, 0) and end <= time(12, 0):
        preference.latest_time = end
    elif end >= time(23, 59):
        preference.earliest_time = start
    elif start >= time(12, 0) and end <= time(17, 0):
        preference.time_of_day = "afternoon"
    elif end <= time(12, 0):
        preference.time_of_day = "morning"
    elif start >= time(17, 0):
        preference.time_of_day = "evening"
    else:
        preference.earliest_time, preference.latest_time = start, end


def provider_in(text: str, facts: ClinicFacts) -> ProviderFacts | str | None:
    """Return the provider named in ``text``, :data:`ANY_PROVIDER`, or None."""
    folded = fold(text)
    if _ANYONE.search(folded):
        return ANY_PROVIDER
    words = re.findall(r"[a-z']+", folded)
    best: tuple[float, ProviderFacts] | None = None
    for provider in facts.providers:
        last = fold(provider.last_name)
        first = fold(provider.first_name)
        for index, word in enumerate(words):
            score = float(fuzz.ratio(word, last)) if len(word) >= 3 else 0.0
            titled = index > 0 and words[index - 1] in ("dr", "doctor", "doctora", "dra")
            if titled:
                score += 10
            if index > 0 and fuzz.ratio(words[index - 1], first) >= 85:
                score += 10
            if score >= 88 and (best is None or score > best[0]):
                best = (score, provider)
    return best[1] if best else None


def appointment_type_in(text: str, facts: ClinicFacts) -> str | None:
    """Return the visit-type code ``text`` asks for, or None."""
    folded = fold(text)
    codes = {kind.code for kind in facts.appointment_types}
    for code, pattern in _TYPE_KEYWORDS:
        if code in codes and pattern.search(folded):
            return code
    for kind in facts.appointment_types:
        name = fold(kind.name).replace(" visit", "")
        if name and re.search(rf"\b{re.escape(name)}\b", folded):
            return kind.code
    return None


# "my wife's", "mi esposo": whose medication it is, which comes before the name.
_OWNER = r"(?:[a-z]+'s\s+|(?:esposo|esposa|hijo|hija|mama|papa|marido)\s+)?"
_MEDICATION_LEAD = re.compile(
    r"\b(?:refills?|refilled|renew(?:ed)?|prescription|out of|more|running low on|ran out of|"
    r"receta|rellenar|resurtir|surtir)\s+(?:(?:of|for|on|on my|of my|for my|my|the|de|del|"
    rf"para|mi)\s+)*{_OWNER}(?P<name>[a-z][a-z\-]+(?:\s+\d+(?:\.\d+)?\s*(?:mg|milligrams?|"
    r"mcg|miligramos?))?)"
)
_MEDICATION_BEFORE = re.compile(
    rf"\b(?:my|the|mi)\s+{_OWNER}(?P<name>[a-z][a-z\-]+(?:\s+\d+(?:\.\d+)?\s*(?:mg|"
    r"milligrams?|mcg))?)\s+(?:refill\w*|re-?filled|renewed|prescription|medication|medicine|"
    r"pills)\b"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NOT_MEDICATION = _words(
    """
    my the a an it its this that prescription prescriptions medication medications
    medicine meds pills refill refills please for of on and to today soon again
    mi mis la el los las de del medicina medicamento medicamentos pastillas receta
    blood pressure instead also too now asap both all them those request requests
    yes yeah yep sure okay ok no nope si wife husband son daughter mom mother dad father
    child kid kids baby esposo esposa hijo hija mama papa en vez tambien refilled renewed
    filled
    """
)


def medication_in(text: str) -> str | None:
    """Return the medication named after "refill"/"prescription" words, or None."""
    folded = fold(text)
    for pattern in (_MEDICATION_LEAD, _MEDICATION_BEFORE):
        # Matches may overlap: in "resurtir mi receta de metformina" the name follows the
        # second lead word, inside the first match.
        position = 0
        while (match := pattern.search(folded, position)) is not None:
            name = match["name"].strip()
            if name.split()[0] not in _NOT_MEDICATION:
                return name
            position = match.start() + 1
    return None


_MEDICATION_END = re.compile(
    r"\b(dr|doctor|doctora|that|which|who|from|gave|prescribed|for|please|por favor|que|"
    r"del|de la|because|since)\b"
)


def bare_medication(text: str) -> str | None:
    """Read a reply to "which medication?": the words said, minus fillers and context."""
    folded = fold(text)
    folded = _MEDICATION_END.split(folded, maxsplit=1)[0]
    folded = re.sub(r"\b(it'?s|it is|the|my|um+|uh+|es|el|la|mi)\b", " ", folded)
    words = [w for w in re.findall(r"[a-z][a-z\-]*|\d+(?:\.\d+)?|mg", folded)]
    words = [w for w in words if w not in _NOT_MEDICATION]
    if not words or len(words) > 4:
        return None
    return " ".join(words)


_PHARMACY = re.compile(
    r"\b(?P<name>cvs|walgreens|rite ?aid|walmart|costco|kinney drugs|kinney|hannaford|"
    r"price chopper|kroger|target|shaw'?s|community pharmacy|[a-z]+ pharmacy|farmacia "
    r"[a-z]+)(?P<place>\s+(?:on|at|in|en)\s+[a-z0-9 ]{2,40}?)?(?=[,.!?]|$|\s+(?:please|"
    r"thanks|and|por favor|instead|this time|then|today|en vez|mejor|esta vez))"
)
_USUAL_PHARMACY = re.compile(
    r"\b(usual|same (one|pharmacy)|one on file|on file|regular|normal one|la de siempre|"
    r"la misma|la que tienen)\b"
)


def pharmacy_in(text: str) -> str | None:
    """Return the pharmacy named in ``text`` (with its street when said), or None."""
    match = _PHARMACY.search(fold(text))
    if match is None:
        return None
    return (match["name"] + (match["place"] or "")).strip()


def wants_usual_pharmacy(text: str) -> bool:
    """Return whether the caller wants the pharmacy on file."""
    return bool(_USUAL_PHARMACY.search(fold(text)))


def refill_urgency(text: str) -> str:
    """Return the refill urgency the caller's words imply: urgent, soon or routine."""
    folded = fold(text)
    if re.search(r"\b(ran out|run out|out of|none left|no (pills|medication) left|last (pill|"
                 r"dose)|today|urgent|se me acabo|no me queda)\b", folded):  # fmt: skip
        return "urgent"
    if re.search(r"\b(running (low|out)|few (days|pills)|this week|soon|pronto|me quedan "
                 r"pocas)\b", folded):  # fmt: skip
        return "soon"
    return "routine"


_PAYERS = re.compile(
    r"\b(aetna|cigna|united ?health ?care|united|uhc|blue ?cross( blue ?shield)?( of vermont)?|"
    r"bcbs|blue ?shield|anthem|medicare|medicaid|humana|mvp( health care)?|green mountain care|"
    r"dr\.? dynasaur|kaiser( permanente)?|tricare|ambetter|oscar|molina|harvard pilgrim|"
    r"wellcare|centene|amerigroup)\b"
)
_PLAN_WORDS = re.compile(
    r"\b(ppo|hmo|epo|pos|choice plus|open access( plus| managed choice)?|advantage|part b|"
    r"community plan|gold plus|bluecare)\b"
)


def payer_in(text: str) -> tuple[str, str | None] | None:
    """Return the insurance company and plan named in ``text``, or None."""
    folded = fold(text)
    match = _PAYERS.search(folded)
    if match is None:
        return None
    plan = _PLAN_WORDS.search(folded)
    return match.group(0), (plan.group(0) if plan else None)


def insurance_question(text: str) -> str:
    """Return which insurance question the caller asks: copay, coverage_on_file or plan."""
    folded = fold(text)
    if re.search(r"\b(co-?pay|copago|how much|cost|owe|pay for|cuanto)\b", folded):
        return "copay"
    if re.search(r"\b(on file|my (insurance|coverage|plan)|do you have my|mi seguro|"
                 r"what insurance do (you|i))\b", folded):  # fmt: skip
        return "coverage_on_file"
    return "plan_acceptance"


_NONE = re.compile(
    r"\b(none|no insurance|don'?t have (any|insurance)|uninsured|self[- ]pay|no tengo( seguro)?|"
    r"ninguno)\b"
)


def says_none(text: str) -> bool:
    """Return whether the caller says they have none ("no insurance", "none")."""
    return bool(_NONE.search(fold(text)))


def wants_earliest(text: str) -> bool:
    """Return whether the caller asks for the earliest opening, or says any time will do."""
    folded = fold(text)
    return bool(_EARLIEST.search(folded) or _ANY_TIME.search(folded))


_NEW_PATIENT = re.compile(
    r"\b(new patient|never been|haven'?t been|first time|first visit|not a patient|"
    r"establish(ing)? care|soy nuev[oa]|primera vez|nunca he ido)\b"
)
_ESTABLISHED = re.compile(
    r"\b(been (there|here|seen|in) before|existing|established|current patient|i'?m a patient|"
    r"already a patient|ya soy paciente|he ido antes)\b"
)


def says_new_patient(text: str) -> bool | None:
    """Return True for "I'm new", False for "I've been there before", None otherwise."""
    folded = fold(text)
    if _NEW_PATIENT.search(folded):
        return True
    if _ESTABLISHED.search(folded):
        return False
    return None


# Spanish ordinals; -1 is the last option.
_SPANISH_ORDINALS = {
    "primer": 1, "primero": 1, "primera": 1, "segundo": 2, "segunda": 2,
    "tercer": 3, "tercero": 3, "tercera": 3, "ultimo": -1, "ultima": -1,
}  # fmt: skip


def ordinal_in(text: str) -> int | None:
    """Return the position the caller picks ("the second one", "la primera"), or None."""
    for word in re.findall(r"[a-z]+", fold(text)):
        if word in _SPANISH_ORDINALS:
            return _SPANISH_ORDINALS[word]
    return parse_ordinal(text)
