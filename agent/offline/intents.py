"""What a caller wants, found by keyword patterns in English and Spanish.

A turn may hold several requests ("I need to reschedule and refill my lisinopril"), so
:func:`detect_intents` returns every intent it finds, in the order the caller said them.
Patterns run on folded text (lower case, no accents), so "cancelación" and "cancelacion"
match alike.
"""

from __future__ import annotations

import enum
import re

from agent.safety import fold


class Intent(enum.StrEnum):
    """A request the offline brain knows how to handle (or to hand over)."""

    BOOK = "book"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    NEXT_APPOINTMENT = "next_appointment"
    REFILL = "refill"
    INSURANCE = "insurance"
    REGISTER = "register"
    INFO = "info"
    MESSAGE = "message"
    BILLING = "billing"
    UPSET = "upset"
    GOODBYE = "goodbye"


_RELATIVE = (
    r"(husband|wife|son|daughter|mom|mother|dad|father|child|kid|baby|partner|grandmother|"
    r"grandfather|grandma|grandpa|esposo|esposa|marido|hijo|hija|mama|papa|madre|padre|"
    r"abuelo|abuela)"
)
_FOR_SOMEONE_ELSE = re.compile(
    rf"\b(for|about) (my|our) {_RELATIVE}\b|\b(my|our) {_RELATIVE}'s\b|\b(para|de) mi "
    rf"{_RELATIVE}\b"
)


def for_someone_else(text: str) -> bool:
    """Return whether the caller asks on behalf of a relative ("for my husband")."""
    return bool(_FOR_SOMEONE_ELSE.search(fold(text)))


_PATTERNS: list[tuple[Intent, re.Pattern[str]]] = [
    (
        Intent.RESCHEDULE,
        re.compile(
            r"\b(re-?schedul\w*|move (my|the|an|it|that)\b|change (my|the) (appointment|visit|"
            r"time|day)|push (it|my appointment|my visit) (back|out)|different (day|time)|"
            r"another (day|time) for my|bump (my|it)|reprogram\w*|cambiar (mi|la) (cita|hora)|"
            r"mover (mi|la) cita|cambiar de (dia|fecha))"
        ),
    ),
    (
        Intent.CANCEL,
        re.compile(
            r"\b(cancel\w*|call off|won'?t (be able to )?make (it|my)|can'?t make (it|my)|"
            r"anular|no (voy a|podre) (ir|llegar))"
        ),
    ),
    (
        Intent.NEXT_APPOINTMENT,
        re.compile(
            r"\b(when('?s| is| was) my (next |upcoming )?(appointment|visit|appt)|what (time|day)"
            r" is my (appointment|visit)|do i have (an|any) (appointment|visit)s?|do i have "
            r"(anything|something|any appointments?) (booked|scheduled|coming up)|what do i have "
            r"(booked|scheduled)|anything (booked|scheduled) (for me|with you)|my next "
            r"(appointment|visit)|(confirm|check|verify) my (appointment|visit)|upcoming "
            r"(appointment|visit)s?|cuando es mi (proxima )?cita|a que hora es mi cita|"
            r"tengo (alguna |una )?cita|confirmar mi cita|(calling|call|question|asking) about "
            r"(my |the )?\w+'s (appointment|visit)|(when|what time) is (my|his|her) \w+'s "
            r"(appointment|visit))"
        ),
    ),
    (
        Intent.BOOK,
        re.compile(
            r"\b(book(?!ed)|schedul(?!ed)\w*|make (an|a|another) (appointment|appt)|(like|need|"
            r"want|get|"
            r"have|come in for|set up) (an? |another |my )?(new )?(follow[- ]?up|physical|"
            r"check ?up|sick visit|appointment|appt|visit|telehealth|video visit|well[- ]child)|"
            r"set up (an|a) (appointment|visit)|need (an|a|to make an?) (appointment|appt|visit|"
            r"check ?up|physical)|want (an|a) (appointment|visit)|get (an|a|in for a) (appointment|"
            r"visit|physical)|(see|get in with|come in to see) (the |a |my )?(doctor|dr|"
            r"provider|nurse practitioner|pa)\b|come in\b|appointment (for|with)|"
            r"(annual|yearly) (physical|exam|checkup)|sick visit|follow[- ]?up visit|"
            r"(sacar|hacer|pedir|agendar|programar|quiero|necesito|quisiera|me gustaria) (una )?"
            r"cita|una cita (de|con|para)|ver (a|al) (la )?(doctor|doctora|medico)|"
            r"(first|initial) (visit|appointment)|(can|could) (anyone|someone|somebody|the doctor|"
            r"a doctor|you) see me|earliest (appointment|opening|available|anyone)|get seen|"
            r"be seen|squeeze me in|fit me in|(have|got) (anything|something|any(thing)? "
            r"(open|available)|any openings?|an opening|openings|availability|a spot|a slot|"
            r"room) (on|for|this|next|tomorrow|today|with|in the)|any (openings?|availability|"
            r"slots?|spots?)\b|(is|are) (dr\.?|doctor) \w+ (available|free)|tiene (algo|espacio|"
            r"disponibilidad|citas?|lugar) (el|para|la|esta|este|manana|hoy|con))"
        ),
    ),
    (
        Intent.REFILL,
        re.compile(
            r"\b(refill\w*|re-?fill|renew (my )?(prescription|medication|meds)|prescription|"
            r"(out|run out|running out|ran out|running low) of (my )?\w+|more of my|"
            r"rellen\w*|resurt\w*|receta|repuesto de|surtir|mis pastillas|mi medicina|"
            r"mi medicamento)"
        ),
    ),
    (
        Intent.REGISTER,
        re.compile(
            r"\b(become a (new )?patient|register|sign up as a (new )?patient|(set up|open|make|"
            r"create) (a|my) (chart|file)|(i'?m|i am) a new patient|as a new patient|registrarme|"
            r"hacerme paciente|soy (paciente )?nuev[oa])"
        ),
    ),
    (
        Intent.INSURANCE,
        re.compile(
            r"\b(insurance|in[- ]network|out of network|co-?pay|coverage|covered|deductible|"
            r"(do|does) (you|y'?all|you guys|you folks|the clinic|your (office|clinic)) (take|"
            r"accept)|accept (my |the )?(plan|insurance)|take my (plan|insurance)|"
            r"medicare|medicaid|seguro|aseguranza|aceptan|copago|cobertura)"
        ),
    ),
    (
        Intent.BILLING,
        re.compile(
            r"\b(bill|billing|billed|charged|charge on|statement|balance|pay my|payment|refund|"
            r"invoice|factura|cobro|me cobraron|pagar mi cuenta)"
        ),
    ),
    (
        Intent.MESSAGE,
        re.compile(
            r"\b(leave a message|take a message|have (someone|somebody|the nurse|the doctor) "
            r"call me|call me back|callback|dejar (un )?mensaje|que me llamen)"
        ),
    ),
    (
        Intent.UPSET,
        re.compile(
            r"\b(ridiculous|frustrat\w*|angry|furious|unacceptable|terrible service|worst|"
            r"fed up|sick of this|this is (crazy|absurd)|useless|stupid|damn|enojad[oa]|"
            r"molest[oa]|harto|harta)"
        ),
    ),
    (
        Intent.GOODBYE,
        re.compile(
            r"^(ok(ay)?,? )?(that'?s (all|it)|that is (all|it)|nothing else|no,? that'?s (all|it)|"
            r"no thanks?( you)?|i'?m (good|all set|fine)|(good)?bye|have a (good|nice) day|"
            r"thanks?,? (bye|that'?s all)|eso es todo|nada mas|es todo|adios|gracias,? adios|"
            r"no,? gracias)"
            r"\b|\b(goodbye|bye bye|adios)\b|\b(thanks?|thank you),? (bye|goodbye)\b|\bbye[.!]?$"
        ),
    ),
]

_INFO_TOPICS: list[tuple[str, re.Pattern[str]]] = [
    ("hours", re.compile(
        r"\b(hours|are you (open|closed)|(you|clinic|office) (open|close)|when do you (open|"
        r"close)|what time do you|open (today|tomorrow|on|this|now|late|early|saturdays?|"
        r"sundays?)|closed on|closing time|opening time|horario|abren|cierran|abiert[oa]s?)\b"
    )),
    ("address", re.compile(
        r"\b(address|where are you|where is the (clinic|office)|located|location|directions|"
        r"how do i get there|direccion|donde (estan|queda|se encuentra)|ubicacion)\b"
    )),
    ("parking", re.compile(r"\b(park|parking|estacionamiento|estacionar|parqueo)\b")),
    ("fax", re.compile(r"\bfax\b")),
    ("portal", re.compile(r"\b(portal|mychart|website|online account|pagina web)\b")),
    ("nurse_line", re.compile(r"\b(nurse line|nurse'?s (line|number)|linea de enfermer\w+)\b")),
    ("holidays", re.compile(r"\b(holidays?|closed on|dias? festivos?|feriados?)\b")),
    ("phone", re.compile(
        r"\b((your|the clinic'?s|the office|main) (phone )?number|numero de (telefono|la "
        r"clinica))\b"
    )),
]  # fmt: skip


def detect_intents(text: str) -> list[Intent]:
    """Return every intent in ``text``, in the order the caller mentioned them.

    A request the caller negates ("I don't want to book anything") is left out; see
    :func:`negated_intents`.
    """
    folded = fold(text)
    found: list[tuple[int, Intent]] = []
    for intent, pattern in _PATTERNS:
        match = next((m for m in pattern.finditer(folded) if not _negated(folded, m)), None)
        if match:
            found.append((match.start(), intent))
    if info_topic(text) is not None and not any(i is Intent.BOOK for _, i in found):
        start = min(
            (m.start() for _, p in _INFO_TOPICS if (m := p.search(folded))), default=len(folded)
        )
        found.append((start, Intent.INFO))
    if not any(i is Intent.INSURANCE for _, i in found) and (payer := _PAYER.search(folded)):
        found.append((payer.start(), Intent.INSURANCE))
    if not [i for _, i in found if i is not Intent.GOODBYE] and (
        symptom := _SYMPTOM.search(folded)
    ):
        # "I've got a bad sore throat": a caller who describes an illness wants a visit.
        found.append((symptom.start(), Intent.BOOK))
    found.sort(key=lambda pair: pair[0])
    intents = [intent for _, intent in found]
    return _resolve_overlaps(intents, folded)


def negated_intents(text: str) -> set[Intent]:
    """Return the requests the caller says they do not want ("don't cancel it")."""
    folded = fold(text)
    return {
        intent
        for intent, pattern in _PATTERNS
        if any(_negated(folded, match) for match in pattern.finditer(folded))
    }


_NEGATION_BEFORE = re.compile(
    r"\b(don'?t|do not|not|no longer|never|no need to|no quiero|no necesito|no)\s+"
    r"((want|need|wanna|going|have)\s+)?(to\s+)?(\w+\s+)?$"
)


def _negated(folded: str, match: re.Match[str]) -> bool:
    return bool(_NEGATION_BEFORE.search(folded[max(0, match.start() - 30) : match.start()]))


_PAYER = re.compile(
    r"\b(aetna|cigna|united ?health ?care|uhc|blue ?cross|bcbs|blue ?shield|anthem|humana|"
    r"mvp health|green mountain care|dr\.? dynasaur|kaiser|tricare|ambetter|molina|"
    r"harvard pilgrim|wellcare)\b"
)
_SYMPTOM = re.compile(
    r"\b(sore throat|fever|cough(ing)?|cold|flu|ear ?ache|ear infection|rash|sinus|"
    r"infection|vomit\w*|diarrhea|(back|stomach|knee|ear|tooth) ?(pain|ache)|not feeling "
    r"(well|good)|feel(ing)? (sick|ill|awful|terrible)|i'?m sick|sprain\w*|uti|"
    r"dolor de (garganta|oido|espalda|estomago)|fiebre|tos|gripe|me siento mal|estoy enferm[oa])\b"
)


def _resolve_overlaps(intents: list[Intent], folded: str) -> list[Intent]:
    result: list[Intent] = []
    for intent in intents:
        if intent in result:
            continue
        result.append(intent)
    # "reschedule my appointment" also matches BOOK ("schedule"); moving wins.
    for moving in (Intent.RESCHEDULE, Intent.CANCEL, Intent.NEXT_APPOINTMENT):
        if moving in result and Intent.BOOK in result and not _separate_booking(folded):
            result.remove(Intent.BOOK)
    # A copay question names a visit type without asking to book one.
    if (
        Intent.INSURANCE in result
        and Intent.BOOK in result
        and not re.search(r"\b(book(?!ed)|schedule|make an? appointment|set up|come in)\b", folded)
    ):
        result.remove(Intent.BOOK)
    if Intent.REGISTER in result and Intent.BOOK in result:
        result.remove(Intent.BOOK)
        result.insert(result.index(Intent.REGISTER) + 1, Intent.BOOK)
    if Intent.INSURANCE in result and Intent.BILLING in result and "bill" not in folded:
        result.remove(Intent.BILLING)
    if Intent.GOODBYE in result and len(result) > 1:
        result.remove(Intent.GOODBYE)
    return result


def _separate_booking(folded: str) -> bool:
    """Return whether the caller asks for a new visit besides moving or cancelling one."""
    return bool(
        re.search(r"\b(and|also|plus|y tambien) (book|schedule|make|set up|a new|sacar)", folded)
    )


def info_topics(text: str) -> list[str]:
    """Return every clinic fact asked about, in the order the caller named them."""
    folded = fold(text)
    found = [(m.start(), topic) for topic, p in _INFO_TOPICS if (m := p.search(folded))]
    return [topic for _, topic in sorted(found)]


def info_topic(text: str) -> str | None:
    """Return the clinic fact asked about ("hours", "address", ...), or None."""
    folded = fold(text)
    best: tuple[int, str] | None = None
    for topic, pattern in _INFO_TOPICS:
        match = pattern.search(folded)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), topic)
    return best[1] if best else None


_CHANGE_OF_MIND = re.compile(
    r"\b(never ?mind|forget (it|about it|that)|don'?t bother|leave it( as it is)?|(i'?ll|i will|"
    r"let'?s|i'?d (rather|like to)|i want to) keep (it|my appointment|the appointment)|keep "
    r"the appointment|i changed my mind|actually,? (no|don'?t|i don'?t)|not anymore|no "
    r"changes|don'?t (cancel|change|move|book) (it|anything|that)|nothing(,? thanks)?$|"
    r"olvidelo|olvidalo|no importa|dejelo( asi)?|mejor no|cambie de opinion|no cancele)\b"
)
_SWITCH = re.compile(
    r"\b(actually|instead|rather|on second thought|wait|no,? i (want|need)|en realidad|"
    r"mejor|pensandolo bien)\b"
)


def changes_mind(text: str) -> bool:
    """Return whether the caller drops what they were doing ("never mind", "forget it")."""
    return bool(_CHANGE_OF_MIND.search(fold(text)))


def switches_request(text: str) -> bool:
    """Return whether the caller replaces their request with another ("actually, cancel it")."""
    return bool(_SWITCH.search(fold(text)))
