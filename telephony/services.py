"""Pipecat services that borrow the process's loaded speech models instead of loading their own.

Pipecat's ``WhisperSTTService`` and ``PiperTTSService`` each load their model in ``__init__``.
Built per call, that costs 0.2-0.75 s and tens of MB every time a phone rings. The subclasses
here run on :class:`telephony.speech.SpeechModels` and keep the rest of pipecat's behaviour:
segmenting on VAD events, audio contexts, interruption.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any

from pipecat.frames.frames import (
    DataFrame,
    ErrorFrame,
    Frame,
    SystemFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.piper.tts import PiperTTSService
from pipecat.services.tts_service import TTSService
from pipecat.services.whisper.stt import WhisperSTTService
from pipecat.transcriptions.language import Language
from pipecat.utils.time import time_now_iso8601

from telephony.speech import SpeechModels, Transcript

_MAX_TURN_SECONDS = 28  # Whisper's window is 30 s; a longer turn keeps its latest audio


@dataclass
class CallerTurnTakenFrame(SystemFrame):
    """Sent upstream by the adapter when it answers a caller turn: the next speech is new."""


class SharedWhisperSTTService(WhisperSTTService):
    """faster-whisper transcription of the caller's turn, on the process's loaded model.

    A caller who pauses mid-sentence produces several VAD segments. Transcribed one by one,
    each loses the context of the others ("My date of birth is March 9." and "In 1988."), so
    every segment end transcribes the whole turn so far instead, until the adapter answers the
    turn (:class:`CallerTurnTakenFrame`). Each yields exactly one
    :class:`pipecat.frames.frames.TranscriptionFrame` of the turn so far, empty when it held no
    words, with the :class:`telephony.speech.Transcript` in ``result`` so the adapter can
    record the confidence.

    NOTE: This reads and overrides internals of pipecat 1.14's ``SegmentedSTTService``
    (``_audio_buffer``, ``_segment_queue``, ``_handle_user_stopped_speaking``); check them
    when upgrading pipecat.

    Args:
        models: The process's speech models.
        prompt: Returns the text Whisper should continue from (see
            :meth:`telephony.speech.SpeechModels.transcribe`).
        **kwargs: Passed to pipecat's ``WhisperSTTService``.
    """

    def __init__(
        self, *, models: SpeechModels, prompt: Callable[[], str | None] | None = None, **kwargs: Any
    ) -> None:
        self._models = models
        self._prompt = prompt
        settings = WhisperSTTService.Settings(
            model=models.stt_name, language=Language.EN, no_speech_prob=1.0
        )
        kwargs.setdefault("ttfs_p99_latency", 1.0)
        super().__init__(settings=settings, **kwargs)
        self._turn_audio = bytearray()

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Forget the answered turn's audio; hand every frame to pipecat's STT service."""
        if isinstance(frame, CallerTurnTakenFrame):
            self._turn_audio.clear()
            return
        await super().process_frame(frame, direction)

    async def _handle_user_stopped_speaking(self, frame: VADUserStoppedSpeakingFrame) -> None:
        self._user_speaking = False
        self._turn_audio.extend(self._audio_buffer)
        self._audio_buffer.clear()
        limit = _MAX_TURN_SECONDS * self.sample_rate * 2
        if len(self._turn_audio) > limit:
            del self._turn_audio[: len(self._turn_audio) - limit]
        if self.is_usable:
            await self._segment_queue.put(bytes(self._turn_audio) + self._trailing_silence())

    def _load(self) -> None:
        # WhisperSTTService.__init__ calls this to load a model; borrow the shared one.
        self._model = getattr(self._models, "whisper_model", None)

    async def run_stt(self, audio: bytes) -> AsyncGenerator[Frame, None]:
        """Transcribe one segment in a worker thread and push the transcript, if any."""
        await self.start_processing_metrics()
        try:
            prompt = self._prompt() if self._prompt is not None else None
            transcript: Transcript = await self._models.transcribe_async(audio, prompt=prompt)
        except Exception as error:  # a failed segment must not end the call
            yield ErrorFrame(error=f"Transcription failed ({type(error).__name__}).")
            transcript = Transcript(text="", confidence=0.0, no_speech_probability=1.0)
        finally:
            await self.stop_processing_metrics()
        # An empty transcript (noise) is pushed too: the adapter counts one per segment.
        yield TranscriptionFrame(
            transcript.text, self._user_id, time_now_iso8601(), Language.EN, result=transcript
        )


@dataclass
class ReplyStartFrame(DataFrame):
    """The next ``TTSSpeakFrame`` starts a reply: the caller is waiting for its audio."""


class SharedPiperTTSService(PiperTTSService):
    """Piper synthesis on the process's loaded voice, through its shared TTS worker.

    The first sentence after a :class:`ReplyStartFrame` is synthesized ahead of other calls'
    later sentences (see :mod:`telephony.workers`).

    Args:
        models: Supplies the loaded voice and the TTS worker.
        **kwargs: Passed to :class:`pipecat.services.tts_service.TTSService`, such as
            ``sample_rate``.
    """

    def __init__(self, *, models: SpeechModels, **kwargs: Any) -> None:
        settings = PiperTTSService.Settings(model=None, voice=models.tts_name, language=None)
        # Under load a sentence can wait on the TTS worker for a few seconds. With pipecat's
        # default of 3 s, its audio context would close before the audio arrived.
        kwargs.setdefault("stop_frame_timeout_s", 15.0)
        # PiperTTSService.__init__ downloads and loads a voice; run only the base class's.
        TTSService.__init__(
            self, push_start_frame=True, push_stop_frames=True, settings=settings, **kwargs
        )
        self._models = models
        self._urgent = False

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Note the start of a reply; hand every other frame to pipecat's TTS service."""
        if isinstance(frame, ReplyStartFrame):
            self._urgent = True
            return
        await super().process_frame(frame, direction)

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        """Synthesize ``text`` and yield its audio sentence by sentence."""
        urgent, self._urgent = self._urgent, False
        await self.start_tts_usage_metrics(text)
        try:
            sentences = await self._models.synthesize_async(
                text, sample_rate=self.sample_rate, urgent=urgent
            )
        except Exception as error:  # a failed sentence must not end the call
            yield ErrorFrame(error=f"Speech synthesis failed ({type(error).__name__}).")
            return
        for audio in sentences:
            await self.stop_ttfb_metrics()
            yield TTSAudioRawFrame(audio, self.sample_rate, 1, context_id=context_id)
