"""Whether a phrase the caller said was negated ("I can't do Thursday", "not at 3")."""

from __future__ import annotations

import re

# How far back a negation may sit and still govern the phrase, in characters.
_LOOK_BACK = 30
_CLAUSE_END = re.compile(r"[.,;!?]|\b(?:but|so|instead|rather|actually)\b")
_NEGATION = re.compile(
    r"\b(?:not|no|never|can'?t|cannot|won'?t|isn'?t|don'?t|doesn'?t|wouldn'?t|couldn'?t)\b"
)


def is_negated(text: str, start: int) -> bool:
    """Return True if a negation precedes ``text[start:]`` within the same clause.

    Args:
        text: Lowercased text.
        start: Where the phrase begins.
    """
    before = text[max(0, start - _LOOK_BACK) : start]
    clause_ends = list(_CLAUSE_END.finditer(before))
    if clause_ends:
        before = before[clause_ends[-1].end() :]
    return _NEGATION.search(before) is not None
