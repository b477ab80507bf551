"""Pipecat services that borrow the process's loaded speech models instead of loading their own.

Pipecat's ``WhisperSTTService``, ``PiperTTSService`` and ``SileroVADAnalyzer`` each load their
model in ``__init__``. Built per call, that costs 0.2-0.75 s and tens of MB every time a phone
rings. The subclasses here take the objects from :class:`telephony.speech.SpeechModels` and keep
everything else of pipecat's behaviour: segmenting on VAD events, audio contexts, interruption.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any, cast

import numpy as np
import soxr
from pipecat.audio.vad.silero import SileroOnnxModel, SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADAnalyzer, VADParams
from pipecat.frames.frames import ErrorFrame, Frame, TranscriptionFrame, TTSAudioRawFrame
from pipecat.services.piper.tts import PiperTTSService
from pipecat.services.tts_service import TTSService
from pipecat.services.whisper.stt import WhisperSTTService
from pipecat.transcriptions.language import Language
from pipecat.utils.time import time_now_iso8601

from telephony.speech import SpeechModels, Transcript


class _SharedSessionSileroModel(SileroOnnxModel):
    """Silero's per-stream state around an ONNX session that all calls share."""

    def __init__(self, session: Any) -> None:
        # SileroOnnxModel.__init__ would create a new session; keep only its state handling.
        self.session = session
        self.reset_states()  # type: ignore[no-untyped-call]
        self.sample_rates = [8000, 16000]


class SharedSileroVADAnalyzer(SileroVADAnalyzer):
    """pipecat's Silero analyzer on a shared ONNX session.

    Args:
        session: The ``onnxruntime.InferenceSession`` loaded once per process.
        params: VAD thresholds and start/stop times for this call.
    """

    def __init__(self, *, session: Any, params: VADParams | None = None) -> None:
        VADAnalyzer.__init__(self, sample_rate=None, params=params)
        self._model = _SharedSessionSileroModel(session)
        self._windows_since_reset = 0
        self._low_confidence_windows = 0


class SharedWhisperSTTService(WhisperSTTService):
    """faster-whisper transcription of each VAD segment, on the process's loaded model.

    Every segment yields exactly one :class:`pipecat.frames.frames.TranscriptionFrame`, empty
    when the segment held no words, with the :class:`telephony.speech.Transcript` in
    ``result`` so the call adapter can record the confidence.
    """

    def __init__(self, *, models: SpeechModels, **kwargs: Any) -> None:
        self._models = models
        settings = WhisperSTTService.Settings(
            model=models.stt_name, language=Language.EN, no_speech_prob=1.0
        )
        kwargs.setdefault("ttfs_p99_latency", 1.0)
        super().__init__(settings=settings, **kwargs)

    def _load(self) -> None:
        # WhisperSTTService.__init__ calls this to load a model; borrow the shared one.
        self._model = getattr(self._models, "whisper_model", None)

    async def run_stt(self, audio: bytes) -> AsyncGenerator[Frame, None]:
        """Transcribe one segment in a worker thread and push the transcript, if any."""
        await self.start_processing_metrics()
        try:
            transcript: Transcript = await asyncio.to_thread(self._models.transcribe, audio)
        except Exception as error:  # a failed segment must not end the call
            yield ErrorFrame(error=f"Transcription failed ({type(error).__name__}).")
            transcript = Transcript(text="", confidence=0.0, no_speech_probability=1.0)
        finally:
            await self.stop_processing_metrics()
        # An empty transcript (noise) is pushed too: the adapter counts one per segment.
        yield TranscriptionFrame(
            transcript.text, self._user_id, time_now_iso8601(), Language.EN, result=transcript
        )


class SharedPiperTTSService(PiperTTSService):
    """Piper synthesis on the process's loaded voice.

    Piper returns each sentence whole, so each one is resampled in one piece to the
    pipeline's output rate. pipecat's streaming resampler would hold back the end of every
    sentence and drop it after 0.2 s without input, and it returns nothing at all for a very
    short sentence.

    Args:
        models: Supplies the loaded voice.
        **kwargs: Passed to :class:`pipecat.services.tts_service.TTSService`, such as
            ``sample_rate``.
    """

    def __init__(self, *, models: SpeechModels, **kwargs: Any) -> None:
        settings = PiperTTSService.Settings(model=None, voice=models.tts_name, language=None)
        # PiperTTSService.__init__ downloads and loads a voice; run only the base class's.
        TTSService.__init__(
            self, push_start_frame=True, push_stop_frames=True, settings=settings, **kwargs
        )
        # Any piper-compatible voice works; tests pass a fake one.
        self._voice = cast(Any, models.voice)

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame, None]:
        """Synthesize ``text`` in a worker thread and yield its audio sentence by sentence."""
        await self.start_tts_usage_metrics(text)
        try:
            sentences = await asyncio.to_thread(self._synthesize, text)
        except Exception as error:  # a failed sentence must not end the call
            yield ErrorFrame(error=f"Speech synthesis failed ({type(error).__name__}).")
            return
        for audio in sentences:
            await self.stop_ttfb_metrics()
            yield TTSAudioRawFrame(audio, self.sample_rate, 1, context_id=context_id)

    def _synthesize(self, text: str) -> list[bytes]:
        voice_rate = self._voice.config.sample_rate
        sentences: list[bytes] = []
        for chunk in self._voice.synthesize(text):
            samples = np.frombuffer(chunk.audio_int16_bytes, dtype=np.int16)
            if voice_rate != self.sample_rate:
                resampled = soxr.resample(samples, voice_rate, self.sample_rate, quality="HQ")
                samples = np.clip(resampled, -32768, 32767).astype(np.int16)
            sentences.append(samples.tobytes())
        return sentences
