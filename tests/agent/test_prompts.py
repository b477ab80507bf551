"""Prompt templates: the phrase files, the system prompt and the prompt hash."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from agent.brain import ConversationState, VerifiedPatient
from agent.facts import load_clinic_facts
from clinic.demo import DemoFacts
from prompts import PhraseError, phrase, prompt_files, prompt_hash, render_system_prompt

SAMPLE_VALUES = {
    "clinic": "Test Clinic",
    "first_name": "Ana",
    "examples": "a follow-up",
    "slot": "Tuesday at 9 AM",
    "first": "Tuesday at 9 AM",
    "second": "Wednesday at 2 PM",
    "count": 2,
    "listing": "one and two",
    "appointment": "a follow-up on Tuesday",
    "nurse_line": "802-555-0100",
    "kind": "consulta",
    "when": "el martes",
    "old": "el martes",
    "new": "el miércoles",
    "day": "martes",
    "at": "a las",
    "clock": "9",
    "provider": "Dr. Patel",
    "medication": "lisinopril",
    "pharmacy": None,
    "name": "Ana Ruiz",
    "born": "1 de enero de 1980",
    "phone": "8 0 2",
    "number": "8 0 2",
    "address": "1 Main Street",
    "opens": "8",
    "closes": "5",
    "days": "lunes",
    "plan": "Aetna PPO",
    "payer": "Aetna",
    "plans": "PPO y HMO",
    "last4": "1234",
    "accepted": True,
    "visit": "consulta de seguimiento",
    "amount": "25 dólares",
}


def phrase_keys(language: str) -> set[str]:
    text = resources.files("prompts").joinpath("phrases", f"{language}.yaml").read_text("utf-8")

    def walk(tree: dict[str, object], prefix: str = "") -> set[str]:
        keys: set[str] = set()
        for key, value in tree.items():
            if isinstance(value, dict):
                keys |= walk(value, f"{prefix}{key}.")
            else:
                keys.add(f"{prefix}{key}")
        return keys

    return walk(yaml.safe_load(text))


def test_every_english_phrase_has_a_spanish_one() -> None:
    missing = phrase_keys("en") - phrase_keys("es")

    assert missing == set()


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_phrase_renders(language: str) -> None:
    for key in sorted(phrase_keys(language)):
        text = phrase(key, language, **SAMPLE_VALUES)

        assert text.strip(), key
        assert "{{" not in text, key
        assert "{%" not in text, key


def test_unknown_phrase_raises() -> None:
    with pytest.raises(PhraseError):
        phrase("no.such.phrase")


def test_phrases_state_no_clock_times() -> None:
    # Times come from tool results; a phrase that states one would bypass that rule.
    placeholders = {name: "X" for name in SAMPLE_VALUES} | {"count": 2}
    for language in ("en", "es"):
        for key in phrase_keys(language):
            text = phrase(key, language, **placeholders)
            assert not re.search(r"\d{1,2}:\d{2}|\d\s?(AM|PM)\b", text), key


def test_prompt_hash_is_stable() -> None:
    first = prompt_hash()

    assert first == prompt_hash()
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert "system_prompt.j2" in prompt_files()
    assert "phrases/es.yaml" in prompt_files()


def test_system_prompt_before_and_after_verification(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    facts = load_clinic_facts(sqlite_factory, demo.clinic_id)
    state = ConversationState(facts=facts, now=lambda: demo.now)
    patient = demo.established_patient

    before = render_system_prompt(state)

    assert demo.clinic_name in before
    assert "Dr. Patel" in before
    assert "not been verified" in before
    assert patient.first_name not in before
    assert "Today is Monday, March 2nd" in before

    state.verified_patient = VerifiedPatient(patient.id, patient.first_name, patient.last_name)
    after = render_system_prompt(state)

    assert f"verified as {patient.first_name}" in after
    assert patient.last_name not in after
    assert patient.date_of_birth.isoformat() not in after
    assert str(patient.date_of_birth.year) not in after


def test_system_prompt_in_spanish(sqlite_factory: sessionmaker[Session], demo: DemoFacts) -> None:
    facts = load_clinic_facts(sqlite_factory, demo.clinic_id)
    state = ConversationState(facts=facts, now=lambda: demo.now, language="es")

    assert "reply in Spanish" in render_system_prompt(state)
    assert date(2026, 3, 2) == demo.today


def test_system_prompt_describes_end_call(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    facts = load_clinic_facts(sqlite_factory, demo.clinic_id)
    state = ConversationState(facts=facts, now=lambda: demo.now)

    prompt = render_system_prompt(state)

    assert "call end_call with reason caller_done" in prompt
    assert "wrong_number" in prompt
