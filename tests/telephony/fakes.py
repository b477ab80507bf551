"""Fakes for telephony tests: speech models that need no model files, and a scripted agent.

The fake VAD calls any loud audio speech, the fake speech-to-text returns the texts a test
queued (one per speech segment), and the fake voice "speaks" a 300 Hz tone, 0.1 s per word.
The scripted agent answers caller turns from a table and records what telephony asked of it.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agent.events import AgentEvent, Hangup, Speech, ToolFinished, ToolStarted, Transfer, TurnInfo
from telephony.runtime import AgentHandle, CallSetup
from telephony.speech import SharedSpeechWork, Transcript

TONE_HZ = 300
FAKE_VOICE_RATE = 16_000
SECONDS_PER_WORD = 0.1


class LoudnessDetector:
    """Calls loud audio speech and quiet audio silence."""

    def confidence(self, window: np.ndarray) -> float:
        return 1.0 if float(np.sqrt(np.mean(window**2))) > 0.03 else 0.0

    def reset(self) -> None:
        return None


@dataclass
class _ToneChunk:
    audio_int16_bytes: bytes


@dataclass
class _VoiceConfig:
    sample_rate: int = FAKE_VOICE_RATE


class ToneVoice:
    """A piper-compatible voice that says every word as 0.1 s of a 300 Hz tone."""

    def __init__(self) -> None:
        self.config = _VoiceConfig()
        self.spoken: list[str] = []

    def synthesize(self, text: str, syn_config: Any = None) -> Iterator[_ToneChunk]:
        self.spoken.append(text)
        words = max(1, len(text.split()))
        count = int(FAKE_VOICE_RATE * SECONDS_PER_WORD * words)
        t = np.arange(count) / FAKE_VOICE_RATE
        samples = (8000 * np.sin(2 * math.pi * TONE_HZ * t)).astype(np.int16)
        yield _ToneChunk(samples.tobytes())


class FakeSpeechModels(SharedSpeechWork):
    """Speech models for protocol tests: queued transcripts, a tone voice, a loudness VAD."""

    stt_name = "fake-stt"
    tts_name = "fake-voice"
    TTS_CACHE_ENTRIES = 0  # tests count what was synthesized

    def __init__(self) -> None:
        super().__init__()
        self.tone_voice = ToneVoice()
        self.transcripts: deque[Transcript] = deque()
        self.segments: list[int] = []
        self.prompts: list[str | None] = []

    def queue(self, *texts: str, confidence: float = 0.9) -> None:
        """Make the next speech segments transcribe as ``texts``."""
        for text in texts:
            self.transcripts.append(Transcript(text=text, confidence=confidence))

    @property
    def voice(self) -> ToneVoice:
        return self.tone_voice

    def create_speech_detector(self) -> LoudnessDetector:
        return LoudnessDetector()

    def transcribe(self, pcm16: bytes, *, prompt: str | None = None) -> Transcript:
        self.segments.append(len(pcm16))
        self.prompts.append(prompt)
        if not self.transcripts:
            return Transcript(text="", confidence=0.0, no_speech_probability=1.0)
        return self.transcripts.popleft()


Step = AgentEvent | Callable[[CallSetup], Awaitable[AgentEvent | None]]


@dataclass
class ScriptedAgent:
    """An agent session whose replies are looked up by the caller's words.

    Attributes:
        replies: Caller text (or ``"dtmf:<digits>"``) to the steps of the reply. A step is
            an event, or an async function of the call setup returning an event (or None).
        default: The steps of a reply to anything else.
        greeting: The steps of the greeting.
        setup: The call setup telephony gave the factory.
        turns: Every ``respond`` call as ``(text, stt_confidence, dtmf)``.
        interruptions: The delivered texts passed to ``interrupt``.
        outcomes: The outcomes passed to ``finish``.
        data_changes: Whether each guarded data change ran.
    """

    replies: dict[str, list[Step]] = field(default_factory=dict)
    default: list[Step] = field(default_factory=lambda: [Speech("Sorry, say that again?")])
    greeting: list[Step] = field(default_factory=lambda: [Speech("Hello, test clinic.")])
    setup: CallSetup | None = None
    turns: list[tuple[str, float | None, str | None]] = field(default_factory=list)
    interruptions: list[str] = field(default_factory=list)
    outcomes: list[str | None] = field(default_factory=list)
    data_changes: list[bool] = field(default_factory=list)
    failure: Exception | None = None
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    async def greet(self) -> AsyncIterator[AgentEvent]:
        async for event in self._play(self.greeting):
            yield event

    async def respond(
        self, caller_text: str, *, stt_confidence: float | None = None, dtmf: str | None = None
    ) -> AsyncIterator[AgentEvent]:
        self.turns.append((caller_text, stt_confidence, dtmf))
        if self.failure is not None:
            raise self.failure
        key = f"dtmf:{dtmf}" if dtmf else caller_text
        async for event in self._play(self.replies.get(key, self.default)):
            yield event
        yield TurnInfo(brain="scripted")

    def interrupt(self, delivered_text: str) -> None:
        self.interruptions.append(delivered_text)

    async def finish(self, *, outcome: str | None = None) -> None:
        self.outcomes.append(outcome)
        self.finished.set()

    async def _play(self, steps: list[Step]) -> AsyncIterator[AgentEvent]:
        for step in steps:
            if callable(step):
                assert self.setup is not None
                event = await step(self.setup)
                if event is not None:
                    yield event
            else:
                yield step


def guarded_booking(agent: ScriptedAgent) -> Step:
    """A step that waits for the reply so far to play, then "books" if it may."""

    async def book(setup: CallSetup) -> AgentEvent | None:
        allowed = await setup.before_data_change()
        agent.data_changes.append(allowed)
        if not allowed:
            return None
        return ToolFinished(name="book_appointment", arguments={}, result={"ok": True})

    return book


def agent_factory(agent: ScriptedAgent) -> Callable[[CallSetup], Awaitable[AgentHandle]]:
    """Return an agent factory that hands out ``agent`` and notes the call setup."""

    async def start(setup: CallSetup) -> AgentHandle:
        agent.setup = setup
        return AgentHandle(agent=agent, call_id=None)

    return start


__all__ = [
    "FakeSpeechModels",
    "Hangup",
    "ScriptedAgent",
    "Speech",
    "ToolStarted",
    "Transfer",
    "agent_factory",
    "guarded_booking",
]
