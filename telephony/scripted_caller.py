"""A scripted caller on the simulated phone: speaks lines, presses keys, stays silent.

Script lines (one per caller turn):

* ``I'd like to book a check-up`` - speak the line (synthesized with piper);
* ``dtmf:0315#`` - press keys (``#`` ends the entry at once; otherwise the agent waits
  two seconds after the last key);
* ``silence:9`` - stay silent for nine seconds (the agent checks in after its silence
  timeout);
* ``barge:Actually, make it Friday`` - wait until the agent starts its next reply and
  speak over it;
* ``hangup`` - hang up.

Each line waits for the agent to finish speaking before the next one, except ``barge:``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Literal

from telephony.caller_audio import caller_synthesis_config, synthesize_caller_line
from telephony.phone import AgentUtterance, SimulatedPhone
from telephony.speech import VoiceLike

LineKind = Literal["say", "dtmf", "silence", "barge", "hangup"]

BARGE_IN_DELAY_SECONDS = 0.8
"""How long into the agent's reply a ``barge:`` line starts speaking."""


class ScriptError(ValueError):
    """A script line cannot be understood."""


@dataclass(frozen=True)
class ScriptLine:
    """One parsed script line."""

    kind: LineKind
    value: str = ""

    @property
    def seconds(self) -> float:
        """The duration of a ``silence:`` line."""
        return float(self.value)


def parse_script_line(text: str) -> ScriptLine:
    """Parse one script line.

    Raises:
        ScriptError: For an invalid ``dtmf:`` or ``silence:`` value or an empty line.
    """
    line = text.strip()
    prefix, _, rest = line.partition(":")
    keyword = prefix.strip().lower()
    if keyword == "dtmf" and rest:
        digits = rest.strip().replace(" ", "")
        if not digits or any(digit not in "0123456789*#" for digit in digits):
            raise ScriptError(f"Invalid DTMF digits {rest.strip()!r}; use 0-9, * and #.")
        return ScriptLine("dtmf", digits)
    if keyword == "silence" and rest:
        try:
            seconds = float(rest)
        except ValueError:
            raise ScriptError(f"Invalid silence length {rest.strip()!r}; give seconds.") from None
        if not 0 < seconds <= 120:
            raise ScriptError("A silence must last between 0 and 120 seconds.")
        return ScriptLine("silence", str(seconds))
    if keyword == "barge" and rest.strip():
        return ScriptLine("barge", rest.strip())
    if line.lower() == "hangup":
        return ScriptLine("hangup")
    if not line:
        raise ScriptError("A script line is empty.")
    return ScriptLine("say", line)


@dataclass
class TurnResult:
    """The outcome of one scripted turn.

    Attributes:
        line: The script line (None for the greeting).
        caller_done_at: ``time.monotonic()`` when the caller's speech or last key ended.
        replies: The agent's utterances that followed.
    """

    line: ScriptLine | None
    caller_done_at: float | None
    replies: list[AgentUtterance] = field(default_factory=list)

    @property
    def first_audio_ms(self) -> float | None:
        """Milliseconds from the end of the caller's turn to the agent's first audio after it."""
        if self.caller_done_at is None:
            return None
        starts = [reply.first_media_at for reply in self.replies]
        later = [start for start in starts if start >= self.caller_done_at]
        if not later:
            return None
        return (min(later) - self.caller_done_at) * 1000.0

    @property
    def agent_audio(self) -> bytes:
        """All agent audio of the turn as it played (8 kHz mu-law)."""
        return b"".join(bytes(reply.ulaw) for reply in self.replies)


class ScriptedCaller:
    """Plays script lines on a dialled :class:`SimulatedPhone`.

    Args:
        phone: The phone, already dialled.
        voice: The piper voice that speaks the caller's lines.
        quiet_seconds: Agent silence that means the agent has finished its reply.
    """

    def __init__(
        self, phone: SimulatedPhone, voice: VoiceLike, *, quiet_seconds: float = 1.2
    ) -> None:
        self.phone = phone
        self._voice = voice
        self._quiet = quiet_seconds
        self._audio: dict[str, bytes] = {}
        self._synthesis = caller_synthesis_config()

    async def prepare(self, lines: list[ScriptLine]) -> None:
        """Synthesize every spoken line ahead of the call."""
        for line in lines:
            if line.kind in ("say", "barge"):
                await self._speech(line.value)

    async def greeting(self) -> TurnResult:
        """Wait for the agent's greeting."""
        replies = await self.phone.wait_for_agent(after=0, quiet=self._quiet)
        return TurnResult(line=None, caller_done_at=None, replies=replies)

    async def perform(self, line: ScriptLine) -> TurnResult:
        """Play one line and wait for the agent's reply."""
        phone = self.phone
        heard = len(phone.utterances)
        if line.kind == "hangup":
            await phone.hang_up()
            return TurnResult(line=line, caller_done_at=None)
        if line.kind == "silence":
            await asyncio.sleep(line.seconds)
            replies = await phone.wait_for_agent(after=heard, quiet=self._quiet, max_wait=0.1)
            if phone.agent_speaking:
                replies = await phone.wait_for_agent(after=heard, quiet=self._quiet)
            return TurnResult(line=line, caller_done_at=None, replies=replies)
        if line.kind == "dtmf":
            done = await phone.press(line.value)
        elif line.kind == "barge":
            audio = await self._speech(line.value)
            await phone.wait_until_agent_speaks()
            await asyncio.sleep(BARGE_IN_DELAY_SECONDS)
            heard = len(phone.utterances) + (1 if phone.agent_speaking else 0)
            done = await phone.say(audio)
        else:
            audio = await self._speech(line.value)
            done = await phone.say(audio)
        replies = await phone.wait_for_agent(after=heard, quiet=self._quiet)
        return TurnResult(line=line, caller_done_at=done, replies=replies)

    async def _speech(self, text: str) -> bytes:
        audio = self._audio.get(text)
        if audio is None:
            audio = await asyncio.to_thread(
                synthesize_caller_line, self._voice, text, self._synthesis
            )
            self._audio[text] = audio
        return audio
