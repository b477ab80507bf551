"""Cutting sentences into chunks for piper."""

from __future__ import annotations

import pytest

from telephony.chunks import MAX_CHUNK_CHARS, MIN_CHUNK_CHARS, speech_chunks


@pytest.mark.parametrize(
    ("sentence", "chunks"),
    [
        ("Okay.", ["Okay."]),
        (
            "On Saturday, March 7th we're open 9 AM to noon.",
            ["On Saturday,", "March 7th we're open 9 AM to noon."],
        ),
        (
            "Tuesday, March 10 at 9:15 AM with Dr. Patel, a twenty-minute follow-up visit.",
            ["Tuesday,", "March 10 at 9:15 AM with Dr. Patel,", "a twenty-minute follow-up visit."],
        ),
        (
            "Free parking in the lot behind the building; the entrance is on the ramp side.",
            [
                "Free parking",
                "in the lot behind the building;",
                "the entrance is on the ramp side.",
            ],
        ),
        ("See Dr. Okafor. Goodbye.", ["See Dr. Okafor.", "Goodbye."]),
        ("   ", []),
    ],
)
def test_first_sentence_chunks(sentence: str, chunks: list[str]) -> None:
    assert speech_chunks(sentence, first=True) == chunks


def test_later_sentence_joins_short_clauses() -> None:
    chunks = speech_chunks("Yes, we do, and parking is free.", first=False)

    assert chunks == ["Yes, we do, and parking is free."]


def test_long_clause_splits_before_linking_word() -> None:
    clause = "Please bring your insurance card and a list of the medications you take every day"

    chunks = speech_chunks(clause, first=False)

    assert chunks == [
        "Please bring your insurance card",
        "and a list of the medications you take every day",
    ]
    assert all(len(chunk) < MAX_CHUNK_CHARS + MIN_CHUNK_CHARS for chunk in chunks)


def test_short_tail_stays_with_its_clause() -> None:
    sentence = "Thank you for calling Maple Grove Family Medicine."

    assert speech_chunks(sentence, first=False) == [sentence]
