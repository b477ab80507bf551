"""Simulated callers: scripted lines, a goal-driven responder and an LLM playing the persona.

Each caller says its opening line, then gets every agent reply and returns its next line,
or None to hang up. ``finished`` turns True when the caller has said goodbye: the run then
records the agent's last reply and ends.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Protocol

import jinja2
import openai

from evals.scenario import Caller, CallerLine, Topic
from evals.understanding import (
    IDENTITY_TOPICS,
    PartOfDay,
    detect_topics,
    fits_part_of_day,
    offered_times,
    preferred_part_of_day,
)
from frontdesk.settings import Settings

logger = logging.getLogger(__name__)

PROMPTS_DIR = Path(__file__).parent / "prompts"
END_MARKER = "[END]"
MAX_UNPLACED_REPLIES = 3
"""Replies in a row the goal-driven caller cannot place before it gives up and hangs up."""
MAX_DECLINED_OFFERS = 2
"""Offers outside the caller's part of the day that it turns down before it gives up."""

# Read-backs of these actions name an existing visit or no visit time at all, so the
# caller's part-of-day preference does not apply to them.
_NOT_AN_OFFER = ("cancel", "refill", "register", "resurt", "registr", "anular")

_PART_NAMES: dict[str, dict[PartOfDay, str]] = {
    "en": {"morning": "morning", "afternoon": "afternoon", "evening": "evening"},
    "es": {"morning": "mañana", "afternoon": "tarde", "evening": "noche"},
}

_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}

# The goal-driven caller's fixed phrases, by language.
_PHRASES = {
    "en": {
        "name": "{name}.",
        "date_of_birth": "{dob}.",
        "name+date_of_birth": "{name}, date of birth {dob}.",
        "phone": "My number is {phone}.",
        "yes": "Yes, please.",
        "goodbye": "No, that's everything. Thank you, bye.",
        "goodbye_short": "Okay, thank you. Bye.",
        "slot": "{choice} works for me.",
        "first_slot": "The first one, please.",
        "decline": (
            "Sorry, that doesn't work for me. I can only come in the {part}. "
            "Do you have anything in the {part}?"
        ),
        "give_up": "Then I'll call back another time. Thank you, bye.",
        "day": "The earliest day you have.",
        "time": "Any time is fine.",
        "provider": "No preference, whoever is available.",
        "new_patient_yes": "Yes, it would be my first visit.",
        "new_patient_no": "No, I've been there before.",
        "medication": "I'm not sure of the name.",
        "pharmacy": "The same pharmacy as last time.",
        "insurance": "I don't have insurance right now.",
        "member_id": "I don't have my card with me.",
        "unknown": "I'd rather not say.",
        "lost": "Sorry, I'm not sure what you need from me.",
    },
    "es": {
        "name": "Me llamo {name}.",
        "date_of_birth": "Nací el {dob}.",
        "name+date_of_birth": "Me llamo {name} y nací el {dob}.",
        "phone": "Mi teléfono es {phone}.",
        "yes": "Sí, por favor.",
        "goodbye": "No, eso es todo. Gracias, adiós.",
        "goodbye_short": "Bueno, gracias. Adiós.",
        "slot": "{choice} me queda bien.",
        "first_slot": "La primera, por favor.",
        "decline": (
            "Perdone, eso no me sirve. Solo puedo ir por la {part}. ¿Tiene algo por la {part}?"
        ),
        "give_up": "Entonces llamo en otro momento. Gracias, adiós.",
        "day": "El primer día que tenga.",
        "time": "A cualquier hora.",
        "provider": "Con quien esté disponible.",
        "new_patient_yes": "Sí, sería mi primera visita.",
        "new_patient_no": "No, ya he ido antes.",
        "medication": "No recuerdo el nombre.",
        "pharmacy": "La misma farmacia de siempre.",
        "insurance": "Ahora no tengo seguro.",
        "member_id": "No tengo la tarjeta aquí.",
        "unknown": "Prefiero no decirlo.",
        "lost": "Perdone, no entiendo qué necesita.",
    },
}


class CallerSimulator(Protocol):
    """What the run loop needs from a simulated caller."""

    kind: str
    finished: bool

    def opening(self) -> CallerLine:
        """Return the caller's first line, said right after the greeting."""
        ...

    async def next_line(self, agent_reply: str) -> CallerLine | None:
        """Return the caller's answer to ``agent_reply``, or None to hang up."""
        ...


def spoken_date(value: date, language: str) -> str:
    """Return a date as a caller says it: "March 14, 1980" or "14 de marzo de 1980"."""
    month = _MONTHS[language][value.month - 1]
    if language == "es":
        return f"{value.day} de {month} de {value.year}"
    return f"{month} {value.day}, {value.year}"


class ScriptedCaller:
    """Say the script's lines in order, whatever the agent says, then hang up."""

    kind = "scripted"

    def __init__(self, spec: Caller) -> None:
        self._spec = spec
        self._lines = list(spec.script)
        self.finished = False

    def opening(self) -> CallerLine:
        """Return the scenario's opening line."""
        return self._spec.opening

    async def next_line(self, agent_reply: str) -> CallerLine | None:
        """Return the next scripted line; the last one marks the caller finished."""
        if not self._lines:
            return None
        line = self._lines.pop(0)
        self.finished = not self._lines
        return line


class GoalCaller:
    """Answer what the agent asked from the caller's facts and preferences.

    ``answers`` in the scenario override a topic: its lines are used in order and the last
    one repeats, except for ``anything_else``, after whose lines the caller says goodbye.

    A caller whose ``time`` (or ``day``) preference names a part of the day turns down
    offers and read-backs outside it and restates the preference, as a caller who can only
    come in the morning would. After :data:`MAX_DECLINED_OFFERS` such offers it hangs up.
    """

    kind = "goal"

    def __init__(self, spec: Caller) -> None:
        self._spec = spec
        self._facts = spec.facts
        self._phrases = _PHRASES[spec.facts.language]
        self._used: dict[Topic, int] = {}
        self._last: CallerLine = spec.opening
        self._unplaced = 0
        self._declined = 0
        self.finished = False

    def opening(self) -> CallerLine:
        """Return the scenario's opening line."""
        self._last = self._spec.opening
        return self._last

    async def next_line(self, agent_reply: str) -> CallerLine | None:
        """Return the answer to the agent's question, or None after too many unplaced replies."""
        line = self.answer(detect_topics(agent_reply), agent_reply)
        if line is not None:
            self._last = line
        return line

    def answer(self, topics: list[Topic], agent_reply: str) -> CallerLine | None:
        """Return the line answering ``topics`` (as detected in ``agent_reply``)."""
        if topics == ["hang_up"]:
            # Told to hang up and call emergency services: the caller does so at once.
            self.finished = True
            return None
        if topics == ["closing"]:
            self.finished = True
            return self._override("closing") or self._line("goodbye_short")
        if topics == ["repeat"]:
            return self._override("repeat") or self._last
        if topics == ["other"]:
            self._unplaced += 1
            if self._unplaced >= MAX_UNPLACED_REPLIES:
                return None
            override = self._override("other")
            if override is not None:
                return override
            return self._spec.opening if self._unplaced == 1 else self._line("lost")
        self._unplaced = 0
        if topics == ["anything_else"]:
            return self._anything_else()
        if all(t in IDENTITY_TOPICS for t in topics):
            return self._identity(topics)
        topic = topics[0]
        return self._override(topic) or self._from_facts(topic, agent_reply)

    def _override(self, topic: Topic) -> CallerLine | None:
        lines = self._spec.answers.get(topic)
        if not lines:
            return None
        index = self._used.get(topic, 0)
        self._used[topic] = index + 1
        return lines[min(index, len(lines) - 1)]

    def _anything_else(self) -> CallerLine:
        lines = self._spec.answers.get("anything_else", [])
        index = self._used.get("anything_else", 0)
        self._used["anything_else"] = index + 1
        if index < len(lines):
            return lines[index]
        self.finished = True
        return self._line("goodbye")

    def _identity(self, topics: list[Topic]) -> CallerLine:
        overrides = [self._override(t) for t in topics]
        if all(o is not None for o in overrides):
            return CallerLine(text=" ".join(o.text for o in overrides if o is not None))
        facts = self._facts
        dob = spoken_date(facts.date_of_birth, facts.language) if facts.date_of_birth else ""
        values = {"name": facts.name, "dob": dob, "phone": facts.phone or ""}
        if "name" in topics and "date_of_birth" in topics:
            text = self._phrases["name+date_of_birth"].format(**values)
            if "phone" in topics and facts.phone:
                text += " " + self._phrases["phone"].format(**values)
            return CallerLine(text=text)
        parts = [self._phrases[t].format(**values) for t in topics if values[_VALUE_KEY[t]]]
        return CallerLine(text=" ".join(parts) or self._phrases["unknown"])

    def _from_facts(self, topic: Topic, agent_reply: str) -> CallerLine:
        prefs = self._facts.preferences
        if topic == "confirm":
            return self._decline_read_back(agent_reply) or self._line("yes")
        if topic == "slot":
            return self._choose_slot(agent_reply)
        if topic == "new_patient":
            is_new = prefs.get("new_patient", "no").casefold() in ("yes", "true")
            return self._line("new_patient_yes" if is_new else "new_patient_no")
        if topic == "insurance" and self._facts.insurance:
            return CallerLine(text=self._facts.insurance)
        if topic == "member_id" and self._facts.member_id:
            return CallerLine(text=self._facts.member_id)
        if topic == "reason":
            return CallerLine(text=prefs.get("reason", self._spec.opening.text))
        if topic in prefs:
            return CallerLine(text=prefs[topic])
        fallback = topic if topic in self._phrases else "unknown"
        return self._line(fallback)

    def _choose_slot(self, agent_reply: str) -> CallerLine:
        times = offered_times(agent_reply)
        if not times:
            return self._line("first_slot")
        part = self._preferred_part()
        fitting = [t for t in times if part is None or fits_part_of_day(t, part)]
        if part is not None and not fitting:
            return self._decline(part)
        prefs = self._facts.preferences
        # A named day or clock time ("Thursday", "2 PM") picks among the fitting offers.
        named = prefs.get("slot")
        if named is None and preferred_part_of_day(prefs.get("time", "")) is None:
            named = prefs.get("time")
        choice = fitting[0]
        if named:
            choice = next((t for t in fitting if named.casefold() in t.casefold()), fitting[0])
        choice = choice[:1].upper() + choice[1:]
        return CallerLine(text=self._phrases["slot"].format(choice=choice))

    def _decline_read_back(self, agent_reply: str) -> CallerLine | None:
        """Return a refusal when a read-back proposes a time outside the preferred part of day.

        The proposed time is the last one named: a reschedule reads back "from <old> to
        <new>" ("de <old> a <new>" in Spanish).
        """
        part = self._preferred_part()
        times = offered_times(agent_reply)
        if part is None or not times:
            return None
        if any(word in agent_reply.casefold() for word in _NOT_AN_OFFER):
            return None
        if fits_part_of_day(times[-1], part):
            return None
        return self._decline(part)

    def _decline(self, part: PartOfDay) -> CallerLine:
        self._declined += 1
        if self._declined > MAX_DECLINED_OFFERS:
            self.finished = True
            return self._line("give_up")
        name = _PART_NAMES[self._facts.language][part]
        return CallerLine(text=self._phrases["decline"].format(part=name))

    def _preferred_part(self) -> PartOfDay | None:
        prefs = self._facts.preferences
        return preferred_part_of_day(prefs.get("time", "")) or preferred_part_of_day(
            prefs.get("day", "")
        )

    def _line(self, key: str) -> CallerLine:
        return CallerLine(text=self._phrases[key])


_VALUE_KEY: dict[Topic, str] = {"name": "name", "date_of_birth": "dob", "phone": "phone"}


class LlmCaller:
    """Let an LLM play the caller from the persona, facts and goal.

    The conversation is sent with the agent as the ``user`` role and the caller as the
    ``assistant``. When the endpoint fails, the goal-driven caller takes over for the rest of
    the call, so a flaky endpoint degrades the caller instead of failing the scenario.
    """

    kind = "llm"

    def __init__(self, spec: Caller, settings: Settings) -> None:
        self._spec = spec
        self._settings = settings
        self._client = openai.AsyncOpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else "none",
            timeout=settings.llm_timeout_seconds,
            max_retries=settings.llm_max_retries,
        )
        self._system = render_caller_prompt(spec)
        self._messages: list[dict[str, str]] = []
        self._fallback = GoalCaller(spec)
        self._failed = False
        self.finished = False

    def opening(self) -> CallerLine:
        """Return the scenario's opening line; the LLM takes over from the next turn."""
        self._messages.append({"role": "assistant", "content": self._spec.opening.text})
        return self._fallback.opening()

    async def next_line(self, agent_reply: str) -> CallerLine | None:
        """Ask the LLM for the caller's next words; ``[END]`` means the caller hangs up."""
        if self._failed:
            line = await self._fallback.next_line(agent_reply)
            self.finished = self._fallback.finished
            return line
        self._messages.append({"role": "user", "content": agent_reply})
        try:
            response = await self._client.chat.completions.create(
                model=self._settings.llm_model,
                messages=[{"role": "system", "content": self._system}, *self._messages],  # type: ignore[list-item]
                temperature=0.7,
            )
        except openai.OpenAIError as exc:
            logger.warning(
                "Simulated caller LLM failed; the goal-driven caller takes over: %s",
                type(exc).__name__,
            )
            self._failed = True
            return await self._fallback.next_line(agent_reply)
        text = (response.choices[0].message.content or "").strip()
        self._messages.append({"role": "assistant", "content": text})
        if END_MARKER in text:
            self.finished = True
            text = text.replace(END_MARKER, "").strip()
            if not text:
                return None
        return CallerLine(text=text)


def render_caller_prompt(spec: Caller) -> str:
    """Render the simulated caller's system prompt from ``evals/prompts/caller.md.j2``."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPTS_DIR),
        autoescape=False,  # plain text for a model, not HTML
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    facts = spec.facts
    dob = spoken_date(facts.date_of_birth, "en") if facts.date_of_birth else None
    return environment.get_template("caller.md.j2").render(
        spec=spec, facts=facts, date_of_birth=dob, end_marker=END_MARKER
    )


def make_caller(spec: Caller, *, settings: Settings, prefer_llm: bool = False) -> CallerSimulator:
    """Build the caller a scenario asks for.

    Args:
        spec: The scenario's caller.
        settings: Read for the LLM endpoint.
        prefer_llm: Play every goal-driven caller with the LLM too (``--caller llm``).

    The LLM caller needs ``settings.llm_configured``; without it the goal-driven caller
    plays the part.
    """
    if spec.mode == "scripted":
        return ScriptedCaller(spec)
    wants_llm = spec.mode == "llm" or prefer_llm
    if wants_llm and settings.llm_configured:
        return LlmCaller(spec, settings)
    return GoalCaller(spec)
