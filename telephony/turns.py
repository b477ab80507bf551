"""Turn-taking rules of a phone call: end of turn and turn timing.

End of turn is decided without a turn model. Silero reports the end of speech after
:attr:`TurnTiming.vad_stop_secs` of quiet; a short stop time keeps replies fast but also fires
on a pause inside a sentence. The transcript then decides: if it ends like an unfinished
sentence ("my date of birth is", "and um"), the adapter waits up to
:attr:`TurnTiming.unfinished_hold_secs` for more speech before answering. A heavy model such as
smart-turn would cost more time on two cores than it saves.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from telephony.speech import Transcript

_UNFINISHED_LAST_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "so",
        "because",
        "if",
        "then",
        "than",
        "that",
        "which",
        "who",
        "my",
        "your",
        "our",
        "his",
        "her",
        "their",
        "its",
        "is",
        "are",
        "was",
        "were",
        "am",
        "be",
        "to",
        "of",
        "for",
        "with",
        "at",
        "on",
        "in",
        "from",
        "by",
        "about",
        "into",
        "like",
        "as",
        "um",
        "uh",
        "er",
        "ah",
        "hmm",
        "i",
        "i'm",
        "it's",
        "there's",
        "what's",
        "let's",
        "need",
        "want",
    ]
)
_WORD = re.compile(r"[A-Za-z']+")


@dataclass(frozen=True)
class TurnTiming:
    """Timing of turn-taking; the defaults suit telephone audio on a small CPU.

    Attributes:
        vad_start_secs: Speech needed before the caller counts as talking (and barges in).
        vad_stop_secs: Quiet needed before the caller counts as done speaking.
        unfinished_hold_secs: Extra wait when the transcript ends like an unfinished sentence.
        dtmf_digit_timeout_secs: Quiet after the last key press that ends a DTMF entry
            (``#`` ends it at once).
        silence_timeout_secs: Caller silence after the agent finished speaking before the
            agent checks in; the second such silence ends the call.
    """

    vad_start_secs: float = 0.2
    vad_stop_secs: float = 0.2
    unfinished_hold_secs: float = 0.8
    dtmf_digit_timeout_secs: float = 2.0
    silence_timeout_secs: float = 8.0


def looks_unfinished(text: str) -> bool:
    """Whether a transcript ends like a sentence the caller has not finished.

    Whisper adds a full stop to almost everything, so the last word decides, not punctuation;
    a trailing comma or ellipsis also counts as unfinished.
    """
    stripped = text.strip()
    if not stripped:
        return False
    if stripped.endswith((",", "...", "…", "-")):
        return True
    words = _WORD.findall(stripped.lower())
    return bool(words) and words[-1] in _UNFINISHED_LAST_WORDS


@dataclass
class TurnLatency:
    """When each stage of one caller turn finished, as ``time.monotonic()`` values.

    Attributes:
        speech_end: The caller stopped speaking (the VAD stop, less its stop time).
        transcript: The transcript was ready.
        first_text: The agent produced its first sentence.
        first_audio: The first byte of the agent's audio was sent to Twilio.
    """

    speech_end: float | None = None
    transcript: float | None = None
    first_text: float | None = None
    first_audio: float | None = None

    @property
    def voice_to_voice_ms(self) -> float | None:
        """End of caller speech to first agent audio sent, in milliseconds."""
        if self.speech_end is None or self.first_audio is None:
            return None
        return (self.first_audio - self.speech_end) * 1000.0

    def as_record(self, call_started: float) -> dict[str, Any]:
        """Return the stages as milliseconds since the call started, for the call record."""
        record: dict[str, Any] = {}
        for key, value in (
            ("speech_end_ms", self.speech_end),
            ("transcript_ms", self.transcript),
            ("first_text_ms", self.first_text),
            ("first_audio_ms", self.first_audio),
        ):
            if value is not None:
                record[key] = round((value - call_started) * 1000.0, 1)
        if self.voice_to_voice_ms is not None:
            record["voice_to_voice_ms"] = round(self.voice_to_voice_ms, 1)
        return record


@dataclass
class CallerTurn:
    """What the caller said (or keyed) in one turn, with its timing.

    Attributes:
        text: The transcript; several VAD segments joined when the caller paused mid-sentence.
        confidence: The lowest segment confidence, or None for a keypad-only turn.
        dtmf: Keys pressed, if any.
        latency: Stage times of this turn.
        agent_metrics: What the agent reported about its reply (brain, LLM timings).
    """

    text: str = ""
    confidence: float | None = None
    dtmf: str | None = None
    latency: TurnLatency = field(default_factory=TurnLatency)
    agent_metrics: dict[str, Any] = field(default_factory=dict)
    started_at: float = field(default_factory=time.monotonic)

    def add(self, transcript: Transcript, *, speech_end: float | None, ready: float) -> None:
        """Append one transcribed segment."""
        self.text = f"{self.text} {transcript.text}".strip()
        if self.confidence is None or transcript.confidence < self.confidence:
            self.confidence = transcript.confidence
        if speech_end is not None:
            self.latency.speech_end = speech_end
        self.latency.transcript = ready


class TurnDetector:
    """Gathers VAD events, transcripts and key presses into caller turns.

    The adapter feeds it events and asks :meth:`decide` what to do: keep waiting, hold for
    more speech (the transcript sounds unfinished), or answer. A turn is complete only when
    every speech segment has been transcribed, the caller is not speaking, and no possible
    new speech is being confirmed by the VAD.
    """

    def __init__(self, timing: TurnTiming) -> None:
        self._timing = timing
        self.caller_speaking = False
        self.onset_pending = False
        self.segments_in_flight = 0
        self.pending: CallerTurn | None = None
        self._speech_end: float | None = None

    def speech_started(self) -> None:
        """The VAD confirmed caller speech."""
        self.caller_speaking = True
        self.onset_pending = False

    def speech_stopped(self, now: float) -> None:
        """The VAD confirmed the end of a speech segment, which is now being transcribed."""
        self.caller_speaking = False
        self.segments_in_flight += 1
        self._speech_end = now - self._timing.vad_stop_secs

    def possible_speech(self, active: bool) -> None:
        """The VAD is confirming possible new speech (``active``), or dropped it as noise."""
        self.onset_pending = active

    def transcribed(self, transcript: Transcript, now: float) -> bool:
        """Add a segment's transcript; return False when it held no words."""
        self.segments_in_flight = max(0, self.segments_in_flight - 1)
        if not transcript.text:
            return False
        if self.pending is None:
            self.pending = CallerTurn()
        self.pending.add(transcript, speech_end=self._speech_end, ready=now)
        return True

    def transcription_lost(self) -> None:
        """Stop waiting for transcripts that will not come (a failed segment)."""
        self.segments_in_flight = 0

    def keyed(self, digits: str, now: float) -> None:
        """Add DTMF digits to the turn."""
        if self.pending is None:
            self.pending = CallerTurn()
        self.pending.dtmf = (self.pending.dtmf or "") + digits
        self.pending.latency.speech_end = now

    def decide(self) -> str:
        """Return "wait", "hold" (unfinished-sounding) or "answer" for the pending turn."""
        if self.pending is None or self.caller_speaking or self.onset_pending:
            return "wait"
        if self.segments_in_flight > 0:
            return "wait"
        if self.pending.dtmf is None and looks_unfinished(self.pending.text):
            return "hold"
        return "answer"

    def take(self) -> CallerTurn | None:
        """Return the pending turn and start a new one."""
        turn, self.pending = self.pending, None
        return turn
