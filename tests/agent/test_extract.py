"""Slot values the offline brain reads from a caller's words: medications and pharmacies."""

from __future__ import annotations

import pytest

from agent.offline.extract import bare_medication, medication_in, pharmacy_in


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
