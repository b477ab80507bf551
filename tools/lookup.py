"""Find providers, visit types, payers and pharmacies from the words a caller used.

Names arrive through speech-to-text, so matching forgives spelling ("Dr. Patell") and
ignores titles and punctuation, but never picks between two equally good candidates: it
reports the choice back instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.models import AppointmentType, Provider
from tools.base import InvalidArgument, NotFound
from tools.common import fold_text
from tools.names import MATCH, name_similarity
from tools.speech import spoken_list, with_article

T = TypeVar("T")

_TITLES = {"dr", "doctor", "np", "pa", "nurse", "practitioner", "physician", "assistant", "md"}


def best_matches(text: str, candidates: Sequence[T], keys: Callable[[T], Sequence[str]]) -> list[T]:
    """Return the candidates that match ``text`` best, all tied at the top score.

    Each candidate is scored by its best-matching key; an exact key wins outright over
    fuzzy ones. Returns an empty list when nothing reaches :data:`tools.names.MATCH`.
    """
    scored: list[tuple[float, T]] = []
    for candidate in candidates:
        score = max((name_similarity(text, key) for key in keys(candidate)), default=0.0)
        if score >= MATCH:
            scored.append((score, candidate))
    if not scored:
        return []
    top = max(score for score, _ in scored)
    return [candidate for score, candidate in scored if score == top]


def _provider_keys(provider: Provider) -> list[str]:
    return [
        provider.last_name,
        f"{provider.first_name} {provider.last_name}",
        provider.first_name,
    ]


def _strip_titles(text: str) -> str:
    return " ".join(word for word in fold_text(text).split() if word not in _TITLES)


def find_provider(providers: Sequence[Provider], text: str) -> Provider:
    """Return the one provider ``text`` names, such as "Dr. Patel", "Anita Patel" or "7".

    Raises:
        NotFound: No provider matches; the message lists who practises here.
        InvalidArgument: Several providers match equally well; the message names them.
    """
    if text.strip().isdigit():
        by_id = [p for p in providers if p.id == int(text.strip())]
        if by_id:
            return by_id[0]
    name = _strip_titles(text)
    matches = best_matches(name, providers, _provider_keys) if name else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = spoken_list([p.display_name for p in matches], conjunction="or")
        raise InvalidArgument(f"Did you mean {names}?", data={"providers": _summaries(matches)})
    names = spoken_list([p.display_name for p in providers])
    raise NotFound(
        f"I couldn't find that provider. Our providers are {names}.",
        data={"providers": _summaries(providers)},
    )


def _summaries(providers: Sequence[Provider]) -> list[dict[str, object]]:
    return [{"id": p.id, "name": p.display_name, "specialty": p.specialty} for p in providers]


def find_appointment_type(session: Session, text: str) -> AppointmentType:
    """Return the visit type named by its code ("follow_up") or its name ("follow-up visit").

    Raises:
        NotFound: No visit type matches; the message lists the clinic's visit types.
        InvalidArgument: The words fit several visit types equally well.
    """
    types = list(session.scalars(select(AppointmentType).order_by(AppointmentType.id)))
    code = fold_text(text).replace(" ", "_")
    for kind in types:
        if kind.code == code or fold_text(kind.name) == fold_text(text):
            return kind
    folded = fold_text(text)
    scored = [
        (max(fuzz.token_set_ratio(folded, fold_text(kind.name)), fuzz.ratio(code, kind.code)), kind)
        for kind in types
    ]
    good = [(score, kind) for score, kind in scored if score >= MATCH]
    if good:
        top = max(score for score, _ in good)
        tied = [kind for score, kind in good if score == top]
        if len(tied) == 1:
            return tied[0]
        names = spoken_list([with_article(kind.name.lower()) for kind in tied], conjunction="or")
        raise InvalidArgument(f"Did you mean {names}?", data={"appointment_types": _codes(tied)})
    names = spoken_list([kind.name.lower() for kind in types])
    raise NotFound(
        f"I couldn't find that kind of visit. We offer {names}.",
        data={"appointment_types": _codes(types)},
    )


def _codes(types: Sequence[AppointmentType]) -> list[dict[str, object]]:
    return [
        {"code": kind.code, "name": kind.name, "duration_minutes": kind.duration_minutes}
        for kind in types
    ]
