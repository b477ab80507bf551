"""Twilio media stream messages to frames and back."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace

import pytest
from pipecat.frames.frames import (
    InputAudioRawFrame,
    InputDTMFFrame,
    InterruptionFrame,
    OutputAudioRawFrame,
)

from telephony.serializer import (
    CallerHangupFrame,
    PlaybackMarkFrame,
    TwilioMediaSerializer,
    mark_message,
)


class RecordingListener:
    def __init__(self) -> None:
        self.caller: list[bytes] = []
        self.agent: list[bytes] = []
        self.clears = 0

    def on_caller_media(self, ulaw: bytes) -> None:
        self.caller.append(ulaw)

    def on_agent_media(self, ulaw: bytes) -> None:
        self.agent.append(ulaw)

    def on_clear(self) -> None:
        self.clears += 1


@pytest.fixture
async def serializer() -> TwilioMediaSerializer:
    serializer = TwilioMediaSerializer(stream_sid="MZ1", call_sid="CA1")
    # The serializer reads only the input sample rate from the pipeline's setup.
    await serializer.setup(SimpleNamespace(audio_in_sample_rate=16000))  # type: ignore[arg-type]
    return serializer


def _media(payload: bytes) -> str:
    return json.dumps(
        {
            "event": "media",
            "media": {"track": "inbound", "payload": base64.b64encode(payload).decode()},
        }
    )


async def test_media_becomes_16khz_audio(serializer: TwilioMediaSerializer) -> None:
    listener = RecordingListener()
    serializer.add_listener(listener)

    # The stream resampler holds back its first few milliseconds, so send half a second.
    frames = [await serializer.deserialize(_media(b"\xff" * 160)) for _ in range(25)]

    audio = [frame for frame in frames if frame is not None]
    assert audio
    assert all(isinstance(frame, InputAudioRawFrame) for frame in audio)
    assert {frame.sample_rate for frame in audio} == {16000}
    assert listener.caller == [b"\xff" * 160] * 25


async def test_control_events_become_frames(serializer: TwilioMediaSerializer) -> None:
    dtmf = await serializer.deserialize(json.dumps({"event": "dtmf", "dtmf": {"digit": "7"}}))
    mark = await serializer.deserialize(
        json.dumps({"event": "mark", "mark": {"name": "reply-1-1"}})
    )
    stop = await serializer.deserialize(json.dumps({"event": "stop", "stop": {}}))

    assert isinstance(dtmf, InputDTMFFrame)
    assert dtmf.button.value == "7"
    assert isinstance(mark, PlaybackMarkFrame)
    assert mark.mark_name == "reply-1-1"
    assert isinstance(stop, CallerHangupFrame)
    assert serializer.stop_received


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("{broken", "invalid JSON"),
        (b"\xff\xfe", "invalid JSON"),
        ("42", "not a JSON object"),
        (json.dumps({"event": "nonsense"}), "unknown event"),
        (json.dumps({"event": "start", "start": {}}), "second start event"),
        (json.dumps({"event": "connected"}), "connected event after start"),
        (json.dumps({"event": "media", "media": {}}), "media without a payload"),
        (
            json.dumps({"event": "media", "media": {"payload": "@@@@"}}),
            "media payload is not base64",
        ),
        (
            json.dumps({"event": "media", "media": {"payload": "A" * 30000}}),
            "oversized media payload",
        ),
        (
            json.dumps({"event": "media", "media": {"track": "outbound", "payload": "AAAA"}}),
            "media of another track",
        ),
        (json.dumps({"event": "dtmf", "dtmf": {"digit": "x"}}), "unknown DTMF digit"),
        (json.dumps({"event": "dtmf", "dtmf": {}}), "dtmf without a digit"),
        (json.dumps({"event": "mark", "mark": {}}), "mark without a name"),
    ],
)
async def test_invalid_messages_are_ignored(
    serializer: TwilioMediaSerializer, message: str | bytes, reason: str
) -> None:
    frame = await serializer.deserialize(message)

    assert frame is None
    assert serializer.ignored_messages == {reason: 1}


async def test_outbound_media_mark_and_clear(serializer: TwilioMediaSerializer) -> None:
    listener = RecordingListener()
    serializer.add_listener(listener)

    media = await serializer.serialize(OutputAudioRawFrame(b"\x00\x10" * 160, 8000, 1))
    mark = await serializer.serialize(mark_message("MZ1", "reply-2-1"))
    clear = await serializer.serialize(InterruptionFrame())

    assert isinstance(media, str)
    media_message = json.loads(media)
    assert media_message["event"] == "media"
    assert media_message["streamSid"] == "MZ1"
    assert len(base64.b64decode(media_message["media"]["payload"])) == 160
    assert json.loads(str(mark)) == {
        "event": "mark",
        "streamSid": "MZ1",
        "mark": {"name": "reply-2-1"},
    }
    assert json.loads(str(clear)) == {"event": "clear", "streamSid": "MZ1"}
    assert [len(chunk) for chunk in listener.agent] == [160]
    assert listener.clears == 1
