"""Turn-taking rules of a phone call: end of turn and turn timing.

End of turn is decided without a turn model; smart-turn and the like would cost more time on
two cores than they save. The VAD reports the end of a speech segment after
:attr:`TurnTiming.vad_stop_secs` of quiet, and the segment is transcribed at once. The turn
is answered when the transcript is in and the caller has been quiet for
:attr:`TurnTiming.min_gap_secs` since speech ended (most of which the VAD stop and the
transcription have already taken), or for :attr:`TurnTiming.unfinished_gap_secs` when the
transcript ends like an unfinished sentence ("my date of birth is", "with Doctor"). Speech
that starts again within the gap joins the same turn. Synthesized speech pauses for 250-400 ms
at commas and sentence breaks, and so do callers.
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
        # A title promises a name: "with Doctor ... Okafor".
        "doctor",
        "dr",
        "mister",
        "mr",
        "mrs",
        "ms",
        "miss",
        "nurse",
    ]
)
_WORD = re.compile(r"[A-Za-z0-9']+")
_MONTH_DAY_AT_END = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+"
    r"(?:\d{1,2}(?:st|nd|rd|th)?|[a-z]+(?:st|nd|rd|th))[.,!?]?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TurnTiming:
    """Timing of turn-taking; the defaults suit telephone audio on a small CPU.

    Attributes:
        vad_start_secs: Speech needed before the caller counts as talking (and barges in).
        vad_stop_secs: Quiet that ends a speech segment, which is then transcribed.
        min_gap_secs: Quiet after the caller's speech before the agent answers.
        unfinished_gap_secs: The same when the transcript sounds unfinished.
        dtmf_digit_timeout_secs: Quiet after the last key press that ends a DTMF entry
            (``#`` ends it at once).
        silence_timeout_secs: Caller silence after the agent finished speaking before the
            agent checks in; the second such silence ends the call.
    """

    vad_start_secs: float = 0.2
    vad_stop_secs: float = 0.2
    min_gap_secs: float = 0.35
    unfinished_gap_secs: float = 1.2
    dtmf_digit_timeout_secs: float = 2.0
    silence_timeout_secs: float = 8.0


def looks_unfinished(text: str) -> bool:
    """Return whether a transcript ends like a sentence the caller has not finished.

    Whisper adds a full stop to almost everything, so the last words decide, not punctuation:
    a linking word or title ("and", "with Doctor"), or a date without its year ("March 9th",
    which callers follow with the year after a pause). A trailing comma or ellipsis also
    counts as unfinished.
    """
    stripped = text.strip()
    if not stripped:
        return False
    if stripped.endswith((",", "...", "…", "-")):
        return True
    words = _WORD.findall(stripped.lower())
    if words and words[-1] in _UNFINISHED_LAST_WORDS:
        return True
    return _MONTH_DAY_AT_END.search(stripped) is not None


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
    """One caller turn: its words or keys, and its timing.

    Attributes:
        text: The transcript of the turn's audio, all its VAD segments together.
        confidence: The transcript's confidence, or None for a keypad-only turn.
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

    def update(self, transcript: Transcript, *, speech_end: float | None, ready: float) -> None:
        """Take the latest transcript of the whole turn so far."""
        self.text = transcript.text
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
        """Record that the VAD confirmed caller speech."""
        self.caller_speaking = True
        self.onset_pending = False

    def speech_stopped(self, now: float) -> None:
        """Record the end of a speech segment, which is now being transcribed."""
        self.caller_speaking = False
        self.segments_in_flight += 1
        self._speech_end = now - self._timing.vad_stop_secs

    def possible_speech(self, active: bool) -> None:
        """Record that possible new speech is being confirmed (``active``) or was noise."""
        self.onset_pending = active

    def transcribed(self, transcript: Transcript, now: float) -> bool:
        """Take the transcript of the turn so far; return False when it has no words."""
        self.segments_in_flight = max(0, self.segments_in_flight - 1)
        if not transcript.text:
            return False
        if self.pending is None:
            self.pending = CallerTurn()
        self.pending.update(transcript, speech_end=self._speech_end, ready=now)
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

    def decide(self, now: float) -> float | None:
        """Return how long to wait before answering the pending turn, or None to keep waiting.

        None means there is nothing to answer yet, or more speech or a transcript is on its
        way; 0 means answer now; a positive delay is the rest of the quiet gap required after
        the caller's speech, after which the adapter asks again.
        """
        turn = self.pending
        if turn is None or self.caller_speaking or self.onset_pending:
            return None
        if self.segments_in_flight > 0:
            return None
        if turn.dtmf is not None or turn.latency.speech_end is None:
            return 0.0
        unfinished = looks_unfinished(turn.text)
        gap = self._timing.unfinished_gap_secs if unfinished else self._timing.min_gap_secs
        return max(0.0, turn.latency.speech_end + gap - now)

    def take(self) -> CallerTurn | None:
        """Return the pending turn and start a new one."""
        turn, self.pending = self.pending, None
        return turn
