"""Voice activity detection for the caller, with early notice of possible speech.

:class:`CallerVAD` scores the caller's audio in 32 ms windows with a speech detector (Silero
in production, see :class:`SileroDetector`) and a level gate. Its state machine is the usual
one: speech must last ``start_secs`` to count as started, and quiet must last ``stop_secs``
to count as stopped. It emits pipecat's ``VADUserStartedSpeakingFrame`` and
``VADUserStoppedSpeakingFrame``, which segment speech for Whisper, and also
:class:`PossibleSpeechFrame` when the caller *might* have started talking again. A transcript
that arrives in that moment must wait, or a caller who paused mid-sentence would get an
answer before finishing.

pipecat's ``VADProcessor`` with ``SileroVADAnalyzer`` reports only confirmed starts and
stops, runs every window on a thread of its own per call, and measures loudness by
ITU-R BS.1770 on every window. With ten calls its loudness tracker intermittently failed with
``BufferError`` on every window of a call, which left that call deaf. Silero scores a window in
about 0.2 ms, so it runs here on the event loop, and the gate is a plain RMS level.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from pipecat.audio.vad.silero import SileroOnnxModel
from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    Frame,
    InputAudioRawFrame,
    StartFrame,
    SystemFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

WINDOW_SAMPLES = 512
"""Silero's window at 16 kHz (32 ms)."""

SPEECH_CONFIDENCE = 0.7
"""Silero confidence from which a window counts as speech (pipecat's default)."""

MIN_SPEECH_RMS = 150.0
"""RMS level (16-bit samples, about -47 dBFS) below which a window is never speech."""

_RESET_AFTER_WINDOWS = 62  # about 2 s of audio
_RESET_MAX_CONFIDENCE = 0.1
_RESET_QUIET_WINDOWS = 5


class SpeechDetector(Protocol):
    """Scores one window of 16 kHz audio for speech, keeping its own stream state."""

    def confidence(self, window: np.ndarray) -> float:
        """Return the probability, 0 to 1, that ``window`` (float32, -1..1) is speech."""
        ...

    def reset(self) -> None:
        """Forget the stream so far (between utterances)."""
        ...


class _SharedSessionSileroModel(SileroOnnxModel):
    """Silero's per-stream state around an ONNX session that all calls share."""

    def __init__(self, session: Any) -> None:
        # SileroOnnxModel.__init__ would create a new session; keep only its state handling.
        self.session = session
        self.reset_states()  # type: ignore[no-untyped-call]
        self.sample_rates = [8000, 16000]


class SileroDetector:
    """Silero VAD on a shared ONNX session, with this call's recurrent state.

    Args:
        session: The ``onnxruntime.InferenceSession`` of ``silero_vad.onnx``, loaded once.
    """

    def __init__(self, session: Any) -> None:
        self._model = _SharedSessionSileroModel(session)

    def confidence(self, window: np.ndarray) -> float:
        return float(self._model(window, 16000)[0][0])

    def reset(self) -> None:
        self._model.reset_states()  # type: ignore[no-untyped-call]


@dataclass
class PossibleSpeechFrame(SystemFrame):
    """The caller may have started speaking (``active``), or that turned out to be noise."""

    active: bool


class _State(enum.Enum):
    QUIET = 1
    STARTING = 2
    SPEAKING = 3
    STOPPING = 4


class CallerVAD(FrameProcessor):
    """Detects the caller's speech in 16 kHz audio and reports it as frames.

    Args:
        detector: Scores windows for speech; one per call, because it keeps stream state.
        start_secs: Speech needed before the caller counts as speaking.
        stop_secs: Quiet needed before the caller counts as done speaking.
    """

    def __init__(self, *, detector: SpeechDetector, start_secs: float, stop_secs: float) -> None:
        super().__init__(name="CallerVAD")
        self._detector = detector
        window_secs = WINDOW_SAMPLES / 16000
        self._start_windows = max(1, round(start_secs / window_secs))
        self._stop_windows = max(1, round(stop_secs / window_secs))
        self.start_secs = start_secs
        self.stop_secs = stop_secs
        self._buffer = np.zeros(0, dtype=np.int16)
        self._state = _State.QUIET
        self._count = 0
        self._since_reset = 0
        self._low_confidence = 0

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Pass every frame on; analyze caller audio after passing it to speech-to-text."""
        await super().process_frame(frame, direction)
        await self.push_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame) and frame.sample_rate == 16000:
            await self._analyze(frame.audio)
        elif isinstance(frame, (StartFrame, EndFrame, CancelFrame)):
            self._state = _State.QUIET
            self._count = 0

    async def _analyze(self, audio: bytes) -> None:
        samples = np.frombuffer(audio, dtype=np.int16)
        self._buffer = np.concatenate((self._buffer, samples))
        while self._buffer.size >= WINDOW_SAMPLES:
            window, self._buffer = (
                self._buffer[:WINDOW_SAMPLES],
                self._buffer[WINDOW_SAMPLES:],
            )
            await self._score(window)

    async def _score(self, window: np.ndarray) -> None:
        level = float(np.sqrt(np.mean(window.astype(np.float32) ** 2)))
        confidence = self._detector.confidence(window.astype(np.float32) / 32768.0)
        self._maybe_reset(confidence)
        speech = confidence >= SPEECH_CONFIDENCE and level >= MIN_SPEECH_RMS
        previous = self._state
        self._state = self._next_state(speech)
        if self._state != previous:
            await self._announce(previous, self._state)

    def _next_state(self, speech: bool) -> _State:
        state = self._state
        if speech:
            if state in (_State.QUIET, _State.STARTING):
                self._count = self._count + 1 if state == _State.STARTING else 1
                return _State.SPEAKING if self._count >= self._start_windows else _State.STARTING
            self._count = 0
            return _State.SPEAKING
        if state == _State.STARTING:
            self._count = 0
            return _State.QUIET
        if state in (_State.SPEAKING, _State.STOPPING):
            self._count = self._count + 1 if state == _State.STOPPING else 1
            return _State.QUIET if self._count >= self._stop_windows else _State.STOPPING
        return _State.QUIET

    async def _announce(self, previous: _State, state: _State) -> None:
        if state == _State.STARTING:
            await self.push_frame(PossibleSpeechFrame(active=True))
        elif state == _State.SPEAKING and previous in (_State.QUIET, _State.STARTING):
            await self.push_frame(VADUserStartedSpeakingFrame(start_secs=self.start_secs))
        elif state == _State.QUIET and previous == _State.STARTING:
            await self.push_frame(PossibleSpeechFrame(active=False))
        elif state == _State.QUIET and previous == _State.STOPPING:
            await self.push_frame(VADUserStoppedSpeakingFrame(stop_secs=self.stop_secs))

    def _maybe_reset(self, confidence: float) -> None:
        # Silero's recurrent state drifts during long non-speech (hold music, line noise), and
        # then it under-reports the speech that follows. So it is cleared every two seconds of
        # quiet, as pipecat's analyzer does.
        self._since_reset += 1
        self._low_confidence = self._low_confidence + 1 if confidence < _RESET_MAX_CONFIDENCE else 0
        if (
            self._since_reset >= _RESET_AFTER_WINDOWS
            and self._state == _State.QUIET
            and self._low_confidence >= _RESET_QUIET_WINDOWS
        ):
            self._detector.reset()
            self._since_reset = 0
