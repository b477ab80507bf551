"""What the offline brain reads from a caller's words: requests and slot values."""

from __future__ import annotations

import pytest

from agent.offline.extract import bare_medication, medication_in, pharmacy_in, wants_earliest
from agent.offline.intents import Intent, detect_intents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I need to refill my wife's lisinopril", "lisinopril"),
        ("I need my husband's metformin prescription refilled", "metformin"),
        ("I need refills for lisinopril and atorvastatin", "lisinopril"),
        ("I need a refill of lisinopril 10 mg", "lisinopril 10 mg"),
        ("Necesito resurtir mi receta de metformina", "metformina"),
        ("never mind, I want a refill instead", None),
        ("I need a refill", None),
    ],
)
def test_medication_in(text: str, expected: str | None) -> None:
    assert medication_in(text) == expected


@pytest.mark.parametrize("text", ["yes", "sure", "instead", "my wife"])
def test_bare_medication_rejects_non_names(text: str) -> None:
    assert bare_medication(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no, send it to the Walgreens instead", "walgreens"),
        ("CVS on Main Street instead", "cvs on main street"),
        ("Walgreens please", "walgreens"),
    ],
)
def test_pharmacy_in(text: str, expected: str) -> None:
    assert pharmacy_in(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Does Dr. Kim have anything on Saturday the 14th for a follow-up?",
        "Do you have any openings next week?",
        "Is Dr. Patel available Friday?",
        "¿Tiene algo para el martes?",
    ],
)
def test_availability_question_is_a_booking(text: str) -> None:
    assert Intent.BOOK in detect_intents(text)


@pytest.mark.parametrize("text", ["Are you open on Saturday?", "What are your hours?"])
def test_hours_question_is_no_booking(text: str) -> None:
    assert Intent.BOOK not in detect_intents(text)


@pytest.mark.parametrize(
    "text", ["El primer día que tenga", "lo primero que tenga", "the earliest you have"]
)
def test_wants_earliest(text: str) -> None:
    assert wants_earliest(text)
