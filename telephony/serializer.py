"""Twilio Media Streams messages to pipecat frames and back, with validation.

Twilio sends ``connected``, ``start``, ``media``, ``dtmf``, ``mark`` and ``stop`` events over the
websocket, and accepts ``media``, ``mark`` and ``clear``. The route reads ``connected`` and
``start`` itself (see :mod:`telephony.routes`); this serializer handles the rest of the stream.

A malformed message never ends a call: invalid JSON, an unknown event, a payload that is not
base64, a second ``start`` are logged (by kind, never with their content, and rate-limited) and
ignored. Inbound ``mark`` and ``stop`` become :class:`PlaybackMarkFrame` and
:class:`CallerHangupFrame` for the call adapter. Every media payload in either direction is also
handed to the :class:`MediaListener` objects, which the call recorder and the latency
measurement use.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.audio.resamplers.soxr_stream_resampler import SOXRStreamAudioResampler
from pipecat.audio.utils import pcm_to_ulaw, ulaw_to_pcm
from pipecat.frames.frames import (
    AudioRawFrame,
    Frame,
    InputAudioRawFrame,
    InputDTMFFrame,
    InterruptionFrame,
    OutputTransportMessageFrame,
    SystemFrame,
)
from pipecat.serializers.twilio import TwilioFrameSerializer

logger = logging.getLogger(__name__)

TWILIO_SAMPLE_RATE = 8_000
MAX_MEDIA_PAYLOAD_BYTES = 16_000
"""Two seconds of 8 kHz mu-law; Twilio sends 20 ms (160 bytes) per message."""

_WARN_EVERY = 100


@dataclass
class PlaybackMarkFrame(SystemFrame):
    """Twilio played all audio sent before the mark called ``name`` (or cleared it)."""

    mark_name: str


@dataclass
class CallerHangupFrame(SystemFrame):
    """Twilio sent ``stop``: the caller hung up or the stream was ended."""


class MediaListener(Protocol):
    """Receives every media payload of the call as 8 kHz mu-law."""

    def on_caller_media(self, ulaw: bytes) -> None: ...

    def on_agent_media(self, ulaw: bytes) -> None: ...

    def on_clear(self) -> None: ...


def mark_message(stream_sid: str, name: str) -> OutputTransportMessageFrame:
    """Return the frame that sends a ``mark`` after the audio queued before it."""
    return OutputTransportMessageFrame(
        message={"event": "mark", "streamSid": stream_sid, "mark": {"name": name}}
    )


class TwilioMediaSerializer(TwilioFrameSerializer):
    """pipecat's Twilio serializer with input validation, marks, ``stop`` and media listeners.

    Args:
        stream_sid: The ``streamSid`` from the ``start`` event.
        call_sid: The ``callSid`` from the ``start`` event.
        listeners: Told about every media payload and every ``clear``.
    """

    def __init__(
        self, *, stream_sid: str, call_sid: str, listeners: Sequence[MediaListener] = ()
    ) -> None:
        # Hanging up is the job of call control, which has the Twilio credentials if any.
        params = TwilioFrameSerializer.InputParams(auto_hang_up=False)
        super().__init__(stream_sid, call_sid=call_sid, params=params)
        # Twilio sends audio without gaps, so the stream resampler never needs clearing, and
        # HQ is ample for 8 kHz speech at a fraction of the default VHQ's cost.
        self._input_resampler = SOXRStreamAudioResampler(quality="HQ", clear_after_secs=None)
        self._listeners = list(listeners)
        self._ignored: Counter[str] = Counter()
        self.call_sid = call_sid
        self.stream_sid = stream_sid
        self.stop_received = False

    def add_listener(self, listener: MediaListener) -> None:
        """Add a listener for media payloads and clears."""
        self._listeners.append(listener)

    @property
    def ignored_messages(self) -> dict[str, int]:
        """How many inbound messages were ignored, by reason."""
        return dict(self._ignored)

    async def serialize(self, frame: Frame) -> str | bytes | None:
        """Turn an outbound frame into a Twilio message (``media``, ``mark`` or ``clear``)."""
        if isinstance(frame, InterruptionFrame):
            for listener in self._listeners:
                listener.on_clear()
            return json.dumps({"event": "clear", "streamSid": self._stream_sid})
        if isinstance(frame, AudioRawFrame):
            ulaw = await pcm_to_ulaw(
                frame.audio, frame.sample_rate, TWILIO_SAMPLE_RATE, self._output_resampler
            )
            if not ulaw:
                return None
            for listener in self._listeners:
                listener.on_agent_media(ulaw)
            payload = base64.b64encode(ulaw).decode("ascii")
            return json.dumps(
                {"event": "media", "streamSid": self._stream_sid, "media": {"payload": payload}}
            )
        result: str | bytes | None = await super().serialize(frame)
        return result

    async def deserialize(self, data: str | bytes) -> Frame | None:
        """Turn an inbound Twilio message into a frame, or None to ignore it."""
        try:
            message = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError):
            self._ignore("invalid JSON")
            return None
        if not isinstance(message, dict):
            self._ignore("not a JSON object")
            return None
        event = message.get("event")
        if event == "media":
            return await self._media_frame(message)
        if event == "dtmf":
            return self._dtmf_frame(message)
        if event == "mark":
            name = _nested_str(message, "mark", "name")
            if name is None:
                self._ignore("mark without a name")
                return None
            return PlaybackMarkFrame(mark_name=name)
        if event == "stop":
            self.stop_received = True
            return CallerHangupFrame()
        if event == "start":
            self._ignore("second start event")
        elif event == "connected":
            self._ignore("connected event after start")
        else:
            self._ignore("unknown event")
        return None

    async def _media_frame(self, message: dict[str, Any]) -> Frame | None:
        payload = _nested_str(message, "media", "payload")
        if not payload:
            self._ignore("media without a payload")
            return None
        if len(payload) > MAX_MEDIA_PAYLOAD_BYTES * 4 // 3 + 4:
            self._ignore("oversized media payload")
            return None
        track = _nested_str(message, "media", "track")
        if track not in (None, "inbound"):
            self._ignore("media of another track")
            return None
        try:
            ulaw = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            self._ignore("media payload is not base64")
            return None
        for listener in self._listeners:
            listener.on_caller_media(ulaw)
        pcm = await ulaw_to_pcm(ulaw, TWILIO_SAMPLE_RATE, self._sample_rate, self._input_resampler)
        if not pcm:
            return None
        return InputAudioRawFrame(audio=pcm, num_channels=1, sample_rate=self._sample_rate)

    def _dtmf_frame(self, message: dict[str, Any]) -> Frame | None:
        digit = _nested_str(message, "dtmf", "digit")
        if digit is None:
            self._ignore("dtmf without a digit")
            return None
        try:
            return InputDTMFFrame(KeypadEntry(digit))
        except ValueError:
            self._ignore("unknown DTMF digit")
            return None

    def _ignore(self, reason: str) -> None:
        self._ignored[reason] += 1
        count = self._ignored[reason]
        if count == 1 or count % _WARN_EVERY == 0:
            logger.warning(
                "Ignored a Twilio media stream message (%s, %d so far)",
                reason,
                count,
                extra={"call_sid": self.call_sid, "stream_sid": self.stream_sid},
            )


def _nested_str(message: dict[str, Any], key: str, field: str) -> str | None:
    inner = message.get(key)
    if not isinstance(inner, dict):
        return None
    value = inner.get(field)
    return value if isinstance(value, str) else None
