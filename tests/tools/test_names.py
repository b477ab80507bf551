"""Name matching tolerant of speech-to-text spellings, but not of different names."""

from __future__ import annotations

import pytest

from tools.names import MATCH, name_similarity, person_similarity

ALIKE = [
    ("Jon", "John"), ("Smyth", "Smith"), ("Reid", "Reed"), ("Katherine", "Catherine"),
    ("Stephen", "Steven"), ("Petersen", "Peterson"), ("Garcia", "García"),
    ("OConnor", "O'Connor"), ("Juan", "Juan Carlos"), ("Mohammed", "Muhammad"),
]  # fmt: skip
DIFFERENT = [
    ("Jane", "Jon"), ("Tom", "Tim"), ("Mark", "Mike"), ("Bill", "William"),
    ("Smith", "Jones"), ("Ann", "Dan"),
]  # fmt: skip


@pytest.mark.parametrize(("heard", "written"), ALIKE)
def test_spellings_of_same_name_match(heard: str, written: str) -> None:
    assert name_similarity(heard, written) >= MATCH


@pytest.mark.parametrize(("heard", "written"), DIFFERENT)
def test_different_names_do_not_match(heard: str, written: str) -> None:
    assert name_similarity(heard, written) < MATCH


def test_both_name_parts_must_match() -> None:
    assert person_similarity("Jon", "Smyth", "John", "Smith") >= MATCH
    assert person_similarity("Jon", "Jones", "John", "Smith") < MATCH


def test_swapped_name_order_matches() -> None:
    assert person_similarity("Chen", "Margaret", "Margaret", "Chen") == 100
