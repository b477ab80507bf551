"""Safety rules enforced in code, around whichever brain is answering.

Before the brain: :func:`screen_caller_turn` checks every caller turn for an emergency, a
mental-health crisis, a request for a person, a clinical-advice question, an attempt to get
another patient's details and an attempt to override the receptionist's instructions. The
session answers a matched turn itself, so the brain never sees an emergency.

After the brain: :class:`ReplyChecker` checks every sentence before it is spoken. It
replaces dosage or treatment advice and any appointment time that no tool result of this
call contains, then makes the sentence speech-ready (:func:`agent.speech.speakable`).

Patterns cover English and Spanish and are searched across the whole turn, so an emergency
said in the middle of another request is found; the emergency and crisis phrases live in
:mod:`agent.emergency_rules`. They favour a false alarm over a missed emergency, so a caller
who mentions chest pain in passing still hears the 911 instruction.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from agent.emergency_rules import CRISIS_RULES, EMERGENCY_RULES


class ScreenKind(enum.StrEnum):
    """The kinds of safety rule a caller turn can match, in order of precedence."""

    EMERGENCY = "emergency"
    CRISIS = "crisis"
    INJECTION = "injection"
    OTHER_PATIENT = "other_patient"
    HUMAN = "human"
    CLINICAL = "clinical"


@dataclass(frozen=True)
class ScreenResult:
    """A matched safety rule: its kind and the name of the pattern (never caller text)."""

    kind: ScreenKind
    rule: str


def fold(text: str) -> str:
    """Lower-case ``text``, drop accents and unify apostrophes, for pattern matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("’", "'").replace("`", "'").casefold()
    return " ".join(plain.split())


def _rules(pairs: dict[str, str]) -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile(pattern)) for name, pattern in pairs.items()]


_EMERGENCY = EMERGENCY_RULES
_CRISIS = CRISIS_RULES

_INJECTION = _rules(
    {
        "override": r"\b(ignore|disregard|forget|override|bypass) (all |any |your |the |my |"
        r"previous |prior |earlier |above |those )*(instructions|rules|prompt|guidelines|"
        r"programming|restrictions)|\b(ignora|olvida) (todas )?(tus|las) (instrucciones|reglas)",
        "persona": r"\b(you are now|you're now|from now on,? you are|act as (a|an|my)|pretend "
        r"(to be|you are|you're)|developer mode|jailbreak|ahora eres|actua como)",
        "prompt": r"\b(system prompt|your (prompt|instructions|configuration)|"
        r"(print|show|repeat|reveal|tell me) (me )?(your|the) (system )?(prompt|instructions))",
    }
)

_OTHER_PATIENT = _rules(
    {
        "schedule": r"\b(read|tell|give|list|show) (me )?(the |today'?s |tomorrow'?s )?"
        r"(schedule|appointments|calendar) (for|of)\b|\bwho (else )?(is|has|'s) "
        r"(booked|scheduled|coming in|an appointment)|\b(list|names) of (all )?(the )?patients|"
        r"\b(other|another) patient'?s?\b|\bsomeone else'?s (appointment|records?|information|"
        r"prescriptions?|insurance|date of birth)|\bagenda de (hoy|manana|el doctor|la doctora)|"
        r"\botros pacientes|\botro paciente",
        "details": r"\b(what is|what's|tell me|give me) (\w+ ){0,2}\w+'s (date of birth|birthday|"
        r"address|phone number|medications?|diagnosis|insurance|records?)",
    }
)

_HUMAN = _rules(
    {
        "person": r"\b(speak|talk|transfer me|connect me|put me through)( (to|with))? (a|an|"
        r"the|some|your)? ?(real )?(person|human|someone|somebody|representative|operator|"
        r"receptionist|front desk|staff|agent)\b|\b(real|live) (person|human)\b|"
        r"^(an? )?(real |live )?(person|human|representative|operator|agent|receptionist)"
        r",?( please)?[.!]?$|"
        r"\b(representative|operator),? please\b|\b(hablar|comunicarme) con (una|alguien|la|el)"
        r" ?(persona|humano|recepcionista|operador|operadora|alguien)?\b|"
        r"\buna persona,? por favor|\boperador(a)?,? por favor",
    }
)

_NOT_CLINICAL_CONTEXT = re.compile(
    r"\b(appointment|slot|spot|opening|time|refill|cita|horario|earliest|first one)\b"
)
_CLINICAL = _rules(
    {
        "dosage": r"\b(how (much|many)|what (dose|dosage)|which (dose|dosage)|cuant[oa]s?)\b.*"
        r"\b(take|give|tomar|dar|dose|dosis)\b|\b(dose|dosage|dosis)\b.*\b(should|debo|deberia)",
        "medication_advice": r"\b(should|can|could|may|is it (safe|ok|okay) (for me )?to) i? ?"
        r"(take|stop taking|skip|double|increase|decrease|mix|combine|drink alcohol)\b.*\b(with|"
        r"while|and|if|before|after|together|more|extra|another|again|dose)\b|"
        r"\bis it (safe|ok|okay) to (take|mix|combine|stop)|\b(puedo|debo) (tomar|dejar de "
        r"tomar|mezclar)\b",
        "symptoms": r"\b(side effects?|efectos secundarios|is (this|that|it) (normal|serious|"
        r"dangerous)|should i (be worried|worry|go to the (er|emergency room|hospital))|"
        r"what('s| is) wrong with me|do i need (antibiotics|to see a doctor)|es (grave|normal|"
        r"peligroso))",
        "results": r"\b(test|lab|blood ?work|biopsy|x-?ray|mri|scan) results?\b|"
        r"\bresultados? de (mis |los )?(analisis|examenes|laboratorio|pruebas)",
    }
)

# A negation just before an emergency phrase ("no chest pain", "I don't have chest pain")
# cancels it. "never" and "without" do not: "I've never had chest pain like this" and "I
# can't walk without chest pain" are emergencies.
_NEGATION = re.compile(r"\b(no|not|don'?t have|do not have|ningun|ninguna)\s+(\w+\s+)?$")


def _first_match(
    text: str, rules: list[tuple[str, re.Pattern[str]]], *, negatable: bool
) -> str | None:
    for name, pattern in rules:
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - 25) : match.start()]
            if negatable and _NEGATION.search(before):
                continue
            return name
    return None


def screen_caller_turn(text: str) -> ScreenResult | None:
    """Check one caller turn against the safety rules, most urgent first.

    Returns:
        The first matching rule, or None when the brain may answer the turn.
    """
    folded = fold(text)
    if not folded:
        return None
    checks: list[tuple[ScreenKind, list[tuple[str, re.Pattern[str]]], bool]] = [
        (ScreenKind.EMERGENCY, _EMERGENCY, True),
        (ScreenKind.CRISIS, _CRISIS, True),
        (ScreenKind.INJECTION, _INJECTION, False),
        (ScreenKind.OTHER_PATIENT, _OTHER_PATIENT, False),
        (ScreenKind.HUMAN, _HUMAN, True),
    ]
    for kind, rules, negatable in checks:
        rule = _first_match(folded, rules, negatable=negatable)
        if rule is not None:
            return ScreenResult(kind, rule)
    rule = _first_match(folded, _CLINICAL, negatable=False)
    if rule is not None and not (rule != "results" and _NOT_CLINICAL_CONTEXT.search(folded)):
        return ScreenResult(ScreenKind.CLINICAL, rule)
    return None
