"""Check each sentence of a reply before it is spoken.

Three things an LLM can get dangerously wrong are stopped here, for both brains:

- dosage or treatment advice ("take 400 mg of ibuprofen") is replaced by an offer of the
  nurse line or a message;
- a claim that a refill or anything else was approved ("your refill has been approved") is
  replaced by the fact that the prescriber reviews the request, since no tool approves;
- a clock time that no tool result of this call and no opening hour of the clinic contains
  is replaced by a sentence that promises to check the schedule, so a caller is never told
  an appointment time the schedule did not produce. Bare hours count ("at 3", "three
  o'clock"); :mod:`agent.clock_times` lists the forms found.

A sentence found word for word inside a tool result message (a refill read-back naming
"lisinopril 10 mg", for instance) is trusted for the advice and approval rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from agent.brain import ConversationState
from agent.clock_times import Clock, times_in
from agent.facts import ClinicFacts
from agent.safety import fold
from agent.speech import speakable
from prompts import phrase

_ISO_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
)

_DOSE_UNITS = (
    r"(mg|milligrams?|mcg|micrograms?|ml|milliliters?|tablets?|pills?|capsules?|teaspoons?|"
    r"tablespoons?|puffs?|units?|drops?|miligramos?|pastillas?|tabletas?|capsulas?|gotas?)"
)
_ADVICE = [
    re.compile(
        r"\b(take|taking|try|use|give|tome|tomar|tomes)\b[^.?!]{0,40}\b\d+(\.\d+)?\s?"
        + _DOSE_UNITS
        + r"\b"
    ),
    re.compile(
        r"\b(you should|you can|you could|you may|i recommend|i suggest|i'd recommend|"
        r"i would recommend|it's fine to|it is fine to|it's safe to|it is safe to|go ahead and|"
        r"le recomiendo|puede|deberia|debe)\b[^.?!]{0,40}\b(take|taking|stop taking|double|"
        r"increase|decrease|skip|ibuprofen|tylenol|acetaminophen|advil|aspirin|antibiotics?|"
        r"motrin|aleve|benadryl|tomar|dejar de tomar|duplicar|aumentar)\b"
    ),
    re.compile(r"\b(every|each) \d+ hours\b|\b(twice|three times|once) (a|per) day\b"),
]


# A claim that something was approved: only a prescriber approves a refill, outside
# Frontdesk, and no tool result ever says one was. Negated claims ("isn't approved") pass.
_APPROVAL = re.compile(
    r"(?:'s|'re|\b(?:has been|have been|was|were|is|are|got|gets|will be))\s+(?:now\s+|already\s+|"
    r"all\s+|been\s+)?(?:approved|authori[sz]ed|okayed|signed off)\b"
    r"|\b(?:i|we|i've|we've|the doctor|your doctor|the prescriber|your prescriber|dr\.? \w+)"
    r"\s+(?:have\s+|has\s+|just\s+|already\s+)*(?:approved|authori[sz]ed|okayed|signed off on)\b"
    r"|\bready (?:for|to) pick ?up\b"
    r"|(?<!no )\b(?:fue|ha sido|esta|quedo|queda)\s+(?:ya\s+)?(?:aprobad[oa]|autorizad[oa])\b"
    r"|\b(?:aprobe|aprobamos|autorice|autorizamos)\b"
)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _clocks_in_result(text: str, timezone: str) -> Iterator[Clock]:
    for match in _ISO_TIME.finditer(text):
        if match[3]:
            aware = datetime.fromisoformat(match[0].replace("Z", "+00:00").replace(" ", "T"))
            local = aware.astimezone(ZoneInfo(timezone))
            yield local.hour, local.minute
        else:
            yield int(match[1]), int(match[2])
    without_iso = _ISO_TIME.sub(" ", text)
    for clock, _exact in times_in(without_iso):
        yield clock


def hours_clocks(facts: ClinicFacts) -> set[Clock]:
    """Return the opening and closing times of the clinic, which replies may state."""
    clocks: set[Clock] = set()
    for window in facts.hours.values():
        if window is None:
            continue
        for value in window:
            hour, minute = value.split(":")[:2]
            clocks.add((int(hour), int(minute)))
    return clocks


class ReplyChecker:
    """Check and rewrite the sentences of one call's replies.

    Args:
        facts: The clinic, for its opening hours and time zone.
    """

    def __init__(self, facts: ClinicFacts) -> None:
        self._facts = facts
        self._hours = hours_clocks(facts)

    def allowed_times(self, state: ConversationState) -> set[Clock]:
        """Return every clock time a reply may state in this call so far."""
        allowed = set(self._hours)
        for exchange in state.tool_log:
            for text in _strings([exchange.result.message, exchange.result.data]):
                allowed.update(_clocks_in_result(text, self._facts.timezone))
        return allowed

    def _trusted(self, sentence: str, state: ConversationState) -> bool:
        folded = fold(sentence).rstrip(".!?")
        if not folded:
            return True
        return any(folded in fold(exchange.result.message) for exchange in reversed(state.tool_log))

    def unsourced_times(self, sentence: str, state: ConversationState) -> list[Clock]:
        """Return the times in ``sentence`` that no tool result or opening hour contains."""
        allowed = self.allowed_times(state)
        missing: list[Clock] = []
        for clock, exact in times_in(sentence):
            candidates = {clock} if exact else {clock, ((clock[0] + 12) % 24, clock[1])}
            if not candidates & allowed:
                missing.append(clock)
        return missing

    def gives_advice(self, sentence: str, state: ConversationState) -> bool:
        """Return whether ``sentence`` gives dosage or treatment advice no tool result contains."""
        folded = fold(sentence)
        if not any(pattern.search(folded) for pattern in _ADVICE):
            return False
        return not self._trusted(sentence, state)

    def claims_approval(self, sentence: str, state: ConversationState) -> bool:
        """Return whether ``sentence`` claims an approval that no tool result states."""
        if not _APPROVAL.search(fold(sentence)):
            return False
        return not self._trusted(sentence, state)

    def check(self, sentence: str, state: ConversationState) -> str:
        """Return ``sentence`` as it may be spoken: replaced if unsafe, then speech-ready."""
        language = state.language
        if self.gives_advice(sentence, state):
            sentence = phrase("safety.advice_blocked", language)
        elif self.claims_approval(sentence, state):
            sentence = phrase("safety.approval_blocked", language)
        elif self.unsourced_times(sentence, state):
            sentence = phrase("safety.time_blocked", language)
        return speakable(
            sentence,
            language=language,
            today=state.local_now().date(),
            timezone=self._facts.timezone,
        )

    def check_all(self, sentences: Iterable[str], state: ConversationState) -> list[str]:
        """Check several sentences, dropping a replacement already said in the same list."""
        checked: list[str] = []
        for sentence in sentences:
            spoken = self.check(sentence, state)
            if spoken and spoken not in checked:
                checked.append(spoken)
        return checked
