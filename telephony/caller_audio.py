"""Audio conversions for the simulated phone: caller speech in, agent speech out.

The simulated caller speaks with the piper voice the server uses, converted to what Twilio
sends (8 kHz mu-law). Leading and trailing silence is trimmed, so the end of the audio is the
end of speech and latency can be measured from it.
"""

from __future__ import annotations

import audioop
from typing import Any

import numpy as np
import soxr

from telephony.speech import PIPELINE_SAMPLE_RATE, VoiceLike

TELEPHONE_SAMPLE_RATE = 8_000
_SPEECH_LEVEL = 300  # int16 amplitude under which a 10 ms window counts as silence


def trim_silence(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Return ``samples`` without leading and trailing quiet windows of 10 ms."""
    window = sample_rate // 100
    count = samples.size // window
    if count == 0:
        return samples
    levels = np.abs(samples[: count * window].reshape(count, window)).max(axis=1)
    loud = np.flatnonzero(levels >= _SPEECH_LEVEL)
    if loud.size == 0:
        return samples[:0]
    return samples[loud[0] * window : (loud[-1] + 1) * window]


def caller_synthesis_config() -> Any:
    """Return piper settings for the simulated caller: without the model's random noise.

    Piper samples noise in every synthesis, so a line would sound a little different and
    transcribe differently on every run. Without the noise, a script gives the same audio
    each time.
    """
    from piper.config import SynthesisConfig

    return SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)


def synthesize_caller_line(voice: VoiceLike, text: str, syn_config: Any = None) -> bytes:
    """Speak ``text`` with ``voice`` and return it as trimmed 8 kHz mu-law."""
    pcm = b"".join(chunk.audio_int16_bytes for chunk in voice.synthesize(text, syn_config))
    samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32)
    resampled = soxr.resample(samples, voice.config.sample_rate, TELEPHONE_SAMPLE_RATE)
    clipped = np.clip(resampled, -32768, 32767).astype(np.int16)
    trimmed = trim_silence(clipped, TELEPHONE_SAMPLE_RATE)
    return bytes(audioop.lin2ulaw(trimmed.tobytes(), 2))


def ulaw_to_pipeline_pcm(ulaw: bytes) -> bytes:
    """Convert 8 kHz mu-law to 16-bit PCM at the pipeline's 16 kHz, for transcription."""
    samples = np.frombuffer(audioop.ulaw2lin(ulaw, 2), dtype=np.int16).astype(np.float32)
    resampled = soxr.resample(samples, TELEPHONE_SAMPLE_RATE, PIPELINE_SAMPLE_RATE)
    pcm: bytes = np.clip(resampled, -32768, 32767).astype(np.int16).tobytes()
    return pcm
