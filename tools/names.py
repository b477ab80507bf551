"""Compare a name as speech-to-text heard it with a name as the chart spells it.

Speech-to-text picks one spelling of what it hears ("Jon Smyth" for John Smith, "Kathryn"
for Katherine), so names are compared by edit similarity and by sound. Sound alone is too
loose for short names (Metaphone hears "Jane" and "Jon" alike), so a phonetic match also
needs a close spelling.
"""

from __future__ import annotations

import jellyfish
from rapidfuzz import fuzz

from tools.common import fold_text

MATCH = 80.0
"""Scores at or above this count as the same name."""
SOUNDS_ALIKE = 85.0
"""The score of names that sound alike and are spelled closely, such as Reed and Reid."""
_CLOSE_SPELLING = 0.84
"""Jaro-Winkler similarity a phonetic match also needs: Reid/Reed pass, Jane/Jon do not."""


def name_similarity(heard: str, written: str) -> float:
    """Score 0-100 how likely ``heard`` is a transcription of the name ``written``.

    Equal names score 100. Otherwise the score is the edit similarity, raised to
    :data:`SOUNDS_ALIKE` when the names sound alike (Metaphone or NYSIIS) and are spelled
    closely, or when one is a whole word of the other ("Juan" of "Juan Carlos").
    """
    heard_words, written_words = fold_text(heard).split(), fold_text(written).split()
    a, b = "".join(heard_words), "".join(written_words)
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    score = float(fuzz.ratio(a, b))
    if score >= MATCH:
        return score
    if a.isalpha() and b.isalpha() and _sounds_alike(a, b):
        return max(score, SOUNDS_ALIKE)
    shorter, longer = sorted((heard_words, written_words), key=len)
    if len(longer) > 1 and len(shorter) == 1 and len(shorter[0]) >= 3 and shorter[0] in longer:
        return max(score, SOUNDS_ALIKE)
    return score


def _sounds_alike(a: str, b: str) -> bool:
    phonetic = jellyfish.metaphone(a) == jellyfish.metaphone(b) or (
        jellyfish.nysiis(a) == jellyfish.nysiis(b)
    )
    return phonetic and jellyfish.jaro_winkler_similarity(a, b) >= _CLOSE_SPELLING


def person_similarity(first: str, last: str, chart_first: str, chart_last: str) -> float:
    """Score how well a heard first and last name match a chart's, 0-100.

    Both parts must match, so the score is the weaker part's. A swapped order ("Smith
    John") is tried too, because callers and transcripts sometimes give the family name first.
    """
    straight = min(name_similarity(first, chart_first), name_similarity(last, chart_last))
    swapped = min(name_similarity(first, chart_last), name_similarity(last, chart_first))
    return max(straight, swapped)
