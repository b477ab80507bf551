"""Sentence splitting of streamed replies."""

from __future__ import annotations

import pytest

from agent.sentences import SentenceSplitter, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "See Dr. Patel on Tuesday. Anything else?",
            ["See Dr. Patel on Tuesday.", "Anything else?"],
        ),
        ("It is at 9:15 a.m. with Dr. Kim.", ["It is at 9:15 a.m. with Dr. Kim."]),
        ("The visit is at 9 a.m. See you then.", ["The visit is at 9 a.m.", "See you then."]),
        ("The copay is $3.50 for that. Okay?", ["The copay is $3.50 for that.", "Okay?"]),
        ("Ms. Lee and Mrs. Ruiz are here. Yes!", ["Ms. Lee and Mrs. Ruiz are here.", "Yes!"]),
        ("J. Smith called. Thanks.", ["J. Smith called.", "Thanks."]),
        ("We are on Main St. near the park.", ["We are on Main St. near the park."]),
        ("La Dra. Patel lo verá. ¿Algo más?", ["La Dra. Patel lo verá.", "¿Algo más?"]),
        ("Options:\n- Tuesday\n- Wednesday", ["Options:", "- Tuesday", "- Wednesday"]),
        ("The answer is no. Anything else?", ["The answer is no.", "Anything else?"]),
    ],
)
def test_split_sentences_cases(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_splitter_waits_for_the_word_after_a_period() -> None:
    splitter = SentenceSplitter()

    assert list(splitter.feed("Your visit with Dr.")) == []
    assert list(splitter.feed(" Patel is at 9")) == []
    assert list(splitter.feed(":15 a.m.")) == []
    assert list(splitter.feed(" on Tuesday. Shall")) == [
        "Your visit with Dr. Patel is at 9:15 a.m. on Tuesday."
    ]
    assert list(splitter.flush()) == ["Shall"]


def test_splitter_releases_a_question_once_a_space_follows() -> None:
    splitter = SentenceSplitter()

    assert list(splitter.feed("Which day works?")) == []
    assert list(splitter.feed(" ")) == ["Which day works?"]
    assert splitter.pending == ""


def test_splitter_cuts_long_sentence() -> None:
    clause = "and then another part of the same long sentence"
    text = ", ".join([clause] * 8)
    sentences = list(SentenceSplitter().feed(text))

    assert sentences
    assert all(len(sentence) <= 240 for sentence in sentences)
