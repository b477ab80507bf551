"""The yes-or-no classifier behind every read-back: only a whole, unhedged yes commits."""

from __future__ import annotations

import pytest

from agent.parsing import AnswerKind, classify_answer

AFFIRM = AnswerKind.AFFIRM
DENY = AnswerKind.DENY
CORRECTION = AnswerKind.CORRECTION
UNCLEAR = AnswerKind.UNCLEAR

# Replies to "…with Doctor Patel, a 20-minute follow-up visit. Shall I book it?" that are
# not a yes, most of them starting with a yes word. A correction names its remainder.
NOT_A_YES: list[tuple[str, AnswerKind, str | None]] = [
    ("yes wait", UNCLEAR, None),
    ("yes... wait, no", UNCLEAR, None),
    ("Yes. Wait. No.", UNCLEAR, None),
    ("okay, what time was that again?", UNCLEAR, None),
    ("sure, what is the address?", UNCLEAR, None),
    ("right?", UNCLEAR, None),
    ("it is too early for me", DENY, None),
    ("yes, Thursday instead", CORRECTION, "Thursday instead"),
    ("ok so not Wednesday", CORRECTION, "not Wednesday"),
    ("sí, pero mejor el jueves", CORRECTION, "el jueves"),
    ("sí, espere un momento", UNCLEAR, None),
    ("please wait", UNCLEAR, None),
    ("ok hold on", UNCLEAR, None),
    ("yeah let me check my calendar", UNCLEAR, None),
    ("okay let me think about it", UNCLEAR, None),
    ("maybe", UNCLEAR, None),
    ("hmm", UNCLEAR, None),
    ("wait", UNCLEAR, None),
    # Further hedges, questions and corrections after a yes word.
    ("Yes?", UNCLEAR, None),
    ("yes, and", UNCLEAR, None),
    ("yes um", UNCLEAR, None),
    ("sí, pero", UNCLEAR, None),
    ("yes, I think so", UNCLEAR, None),
    ("okay, I guess", UNCLEAR, None),
    ("yes, one more question", UNCLEAR, None),
    ("yes, can you also send it to my pharmacy", UNCLEAR, None),
    ("sí, ¿a qué hora es?", UNCLEAR, None),
    ("sí, déjeme revisar", UNCLEAR, None),
    ("si puedo", UNCLEAR, None),
    ("yes but at 10", CORRECTION, "at 10"),
    ("yeah, no, Thursday", CORRECTION, "Thursday"),
    ("okay, with Dr. Kim", CORRECTION, "with Dr. Kim"),
    ("sure, in the afternoon", CORRECTION, "in the afternoon"),
    ("yes, 9:45 would be better", CORRECTION, "9:45 would be better"),
    ("that doesn't work for me", DENY, None),
]

YES: list[str] = [
    # Whole-turn yeses with politeness.
    "yes please",
    "yes, book it",
    "that's right, thank you",
    "sí, por favor",
    "perfect, go ahead",
    "yep that works",
    # Ordinary yeses.
    "Yes.",
    "Yes, please.",
    "yeah",
    "Yep!",
    "Sure.",
    "Of course.",
    "Correct.",
    "That is right.",
    "Sounds good, thanks.",
    "Okay, go ahead.",
    "Yes, confirmed.",
    "Absolutely, thank you.",
    "Yes, please go ahead and book it.",
    "Uh-huh.",
    "um, well, yes",
    "no problem",
    "Yes, that works for me, thank you. Bye.",
    "yes, please cancel it",
    "Sí.",
    "Sí, claro.",
    "Claro que sí.",
    "Está bien.",
    "De acuerdo.",
    "Perfecto, gracias.",
    "Sí, está bien, gracias.",
    "Vale.",
    "Sí, hágalo, por favor.",
]

NO: list[tuple[str, AnswerKind, str | None]] = [
    ("No.", DENY, None),
    ("No, thank you.", DENY, None),
    ("Nope.", DENY, None),
    ("Nah, not that one.", DENY, None),
    ("No, that's not right.", DENY, None),
    ("I don't think so.", DENY, None),
    ("Don't book it.", DENY, None),
    ("No, gracias.", DENY, None),
    ("No, no quiero.", DENY, None),
    ("Mejor no.", DENY, None),
    ("No es correcto.", DENY, None),
    ("No, the 10 AM one", CORRECTION, "the 10 AM one"),
    ("no, el jueves", CORRECTION, "el jueves"),
]


@pytest.mark.parametrize(("said", "kind", "remainder"), NOT_A_YES + NO)
def test_answer_kind_and_remainder(said: str, kind: AnswerKind, remainder: str | None) -> None:
    answer = classify_answer(said)

    assert answer.kind is kind
    if remainder is not None:
        assert answer.remainder == remainder


@pytest.mark.parametrize("said", YES)
def test_whole_turn_yes_affirms(said: str) -> None:
    assert classify_answer(said).kind is AFFIRM


YES_WORDS = ["yes", "Okay,", "sure", "right", "please", "it is", "sí", "claro", "perfecto"]
NOT_A_YES_TAILS = [
    "wait",
    "hold on a second",
    "let me check",
    "what time was that?",
    "is that the morning?",
    "Thursday instead",
    "not Wednesday",
    "but I have a question",
    "espere",
    "pero mejor el jueves",
    "¿cuál es la dirección?",
    "I need to think",
]


@pytest.mark.parametrize("tail", NOT_A_YES_TAILS)
@pytest.mark.parametrize("yes", YES_WORDS)
def test_yes_then_more_not_affirm(yes: str, tail: str) -> None:
    assert classify_answer(f"{yes} {tail}").kind is not AFFIRM


@pytest.mark.parametrize("said", [row[0] for row in NOT_A_YES + NO] + YES)
def test_question_mark_never_affirms(said: str) -> None:
    assert classify_answer(f"{said}?").kind is not AFFIRM
