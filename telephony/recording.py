"""Recording a call to a WAV file: the caller on the left channel, the agent on the right.

The recording is taken from the Twilio media itself (8 kHz mu-law both ways), so it contains
exactly what went over the line. The caller's media arrives in real time and is the clock.
The agent's audio is sent faster than real time and Twilio buffers it, so it is queued here
and mixed in as the caller's clock advances, which places it where the caller heard it. A
``clear`` (barge-in) drops the queued agent audio, as Twilio drops its buffer.
"""

from __future__ import annotations

import audioop
import logging
import re
import wave
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

RECORDING_SAMPLE_RATE = 8_000
_MAX_QUEUED_AGENT_SECONDS = 120
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def recording_path(recordings_dir: Path, call_sid: str) -> Path:
    """Return where the recording of ``call_sid`` is written.

    Raises:
        ValueError: When the call SID could not be a safe file name.
    """
    if not _SAFE_NAME.match(call_sid):
        raise ValueError(f"Invalid call SID for a file name: {call_sid[:80]!r}.")
    return recordings_dir / f"{call_sid}.wav"


class CallRecording:
    """A stereo 16-bit WAV file fed by :class:`telephony.serializer.TwilioMediaSerializer`.

    Args:
        path: The file to create; its directory is created when missing.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = wave.open(str(path), "wb")  # noqa: SIM115 - closed in close()
        self._file.setnchannels(2)
        self._file.setsampwidth(2)
        self._file.setframerate(RECORDING_SAMPLE_RATE)
        self._agent = bytearray()
        self._closed = False

    def on_caller_media(self, ulaw: bytes) -> None:
        """Write the caller's audio with the agent audio that played alongside it."""
        if self._closed:
            return
        caller = np.frombuffer(audioop.ulaw2lin(ulaw, 2), dtype=np.int16)
        needed = caller.size * 2
        agent_bytes = bytes(self._agent[:needed])
        del self._agent[:needed]
        agent = np.zeros(caller.size, dtype=np.int16)
        played = np.frombuffer(agent_bytes, dtype=np.int16)
        agent[: played.size] = played
        stereo = np.empty(caller.size * 2, dtype=np.int16)
        stereo[0::2] = caller
        stereo[1::2] = agent
        self._file.writeframesraw(stereo.tobytes())

    def on_agent_media(self, ulaw: bytes) -> None:
        """Queue agent audio to be mixed in as the caller's audio advances."""
        if self._closed:
            return
        self._agent.extend(audioop.ulaw2lin(ulaw, 2))
        limit = _MAX_QUEUED_AGENT_SECONDS * RECORDING_SAMPLE_RATE * 2
        if len(self._agent) > limit:
            del self._agent[: len(self._agent) - limit]

    def on_clear(self) -> None:
        """Drop agent audio that Twilio will not play."""
        self._agent.clear()

    def close(self) -> None:
        """Finish the WAV header and close the file."""
        if self._closed:
            return
        self._closed = True
        try:
            self._file.close()
        except OSError:
            logger.exception("Could not finish the call recording")
