"""Prompt templates: the LLM system prompt and every sentence the agent says by rule.

Files in this package:

- ``system_prompt.j2``: the LLM brain's system prompt, rendered from the clinic's facts and
  the call's state on every request (:func:`render_system_prompt`).
- ``phrases/en.yaml`` and ``phrases/es.yaml``: what the offline brain and the safety rules
  say, as Jinja2 templates under dotted keys (:func:`phrase`). A key missing from the
  Spanish file falls back to English.

:func:`prompt_hash` fingerprints all of them, so an eval run records which wording it ran.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml
from jinja2 import Environment, StrictUndefined, Template

if TYPE_CHECKING:
    from agent.brain import ConversationState

__all__ = ["PhraseError", "phrase", "prompt_hash", "render_system_prompt"]

LANGUAGES = ("en", "es")
_DAY_NAMES = {
    "mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
    "fri": "Friday", "sat": "Saturday", "sun": "Sunday",
}  # fmt: skip
_PACKAGE = resources.files(__name__)


class PhraseError(KeyError):
    """A phrase key is not defined in any phrase file."""


@cache
def _environment() -> Environment:
    # Plain text for speech and prompts: no HTML escaping, and a missing value is an error
    # rather than an empty gap in what the caller hears.
    return Environment(
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = " ".join(str(value).split())
    return flat


@cache
def _phrases(language: str) -> dict[str, str]:
    text = _PACKAGE.joinpath("phrases", f"{language}.yaml").read_text(encoding="utf-8")
    tree = yaml.safe_load(text) or {}
    return _flatten(tree)


@cache
def _template(language: str, key: str) -> Template:
    source = _phrases(language).get(key)
    if source is None and language != "en":
        source = _phrases("en").get(key)
    if source is None:
        raise PhraseError(f"No phrase named {key!r}; add it to prompts/phrases/en.yaml.")
    return _environment().from_string(source)


def phrase(key: str, language: str = "en", /, **values: Any) -> str:
    """Render the phrase ``key`` in ``language`` (English when the language lacks it).

    Args:
        key: A dotted key such as ``"verify.ask_name"``.
        language: ``"en"`` or ``"es"``; anything else is treated as English.
        **values: The template's variables.

    Raises:
        PhraseError: No phrase file defines ``key``.
    """
    if language not in LANGUAGES:
        language = "en"
    return " ".join(_template(language, key).render(**values).split())


def has_phrase(key: str, language: str = "en") -> bool:
    """Return whether ``language``'s own phrase file defines ``key``."""
    return key in _phrases(language)


@cache
def _system_prompt_template() -> Template:
    # Compiling the template takes milliseconds, and the LLM brain renders it per request.
    source = _PACKAGE.joinpath("system_prompt.j2").read_text(encoding="utf-8")
    return _environment().from_string(source)


def render_system_prompt(state: ConversationState) -> str:
    """Render the LLM system prompt for the call as it stands.

    Patient details never appear in it: after verification it carries only the verified
    caller's first name and the fact of verification, and tools supply everything else.
    """
    from agent.speech import spoken_clock, spoken_date  # the agent package imports prompts

    template = _system_prompt_template()
    now = state.local_now()
    facts = state.facts
    hours = [
        (_DAY_NAMES.get(day, day), window, _spoken_window(window, spoken_clock))
        for day, window in facts.hours.items()
    ]
    return template.render(
        clinic=facts,
        hours=hours,
        today=spoken_date(now.date()),
        today_iso=now.date().isoformat(),
        now_time=now.strftime("%H:%M"),
        language=state.language,
        verified=state.verified_patient,
        late_cancel_fee=f"{facts.late_cancel_fee_cents / 100:.2f}",
    ).strip()


def _spoken_window(window: tuple[str, str] | None, clock: Any) -> str:
    from datetime import time

    if window is None:
        return "closed"
    opens, closes = (time.fromisoformat(value) for value in window)
    return f"{clock(opens)} to {clock(closes)}"


def prompt_files() -> list[str]:
    """Return the package-relative names of every prompt file, sorted."""
    names = ["system_prompt.j2"]
    names += [f"phrases/{language}.yaml" for language in LANGUAGES]
    return sorted(names)


def prompt_hash() -> str:
    """Return a stable SHA-256 over every prompt file's name and bytes (first 16 hex digits)."""
    digest = hashlib.sha256()
    for name in prompt_files():
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(_PACKAGE.joinpath(*name.split("/")).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]
