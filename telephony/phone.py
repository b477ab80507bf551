"""A simulated phone: Twilio's side of a call, over the real webhook and websocket.

:class:`SimulatedPhone` does what Twilio does for an incoming call. It posts the signed
``/twilio/voice`` webhook, opens the media stream named in the TwiML response, and sends
``connected``, ``start`` and 20 ms of 8 kHz mu-law every 20 ms (silence when the caller is
quiet), ``dtmf`` for key presses and ``stop`` to hang up. It plays the agent's audio at real
time, echoes each ``mark`` once the audio before it has played, and on ``clear`` drops what
has not played and echoes the pending marks at once, as Twilio does.

``frontdesk call``, the telephony tests and ``benchmarks/voice_latency.py`` drive calls with
it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import secrets
import time
import xml.etree.ElementTree as ElementTree
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import httpx
from twilio.request_validator import RequestValidator
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

logger = logging.getLogger(__name__)

FRAME_BYTES = 160  # 20 ms of 8 kHz mu-law
FRAME_SECONDS = 0.02
ULAW_SILENCE = b"\xff"


class PhoneError(RuntimeError):
    """The simulated call could not be set up or was cut off."""


@dataclass
class AgentUtterance:
    """One stretch of agent speech as the caller heard it.

    Attributes:
        ulaw: The audio that played (8 kHz mu-law).
        first_media_at: ``time.monotonic()`` when its first media message arrived.
        ended_at: When its audio finished playing or was cleared.
        cleared: Whether a ``clear`` (barge-in) cut it short.
    """

    ulaw: bytearray = field(default_factory=bytearray)
    first_media_at: float = 0.0
    ended_at: float = 0.0
    cleared: bool = False


def new_sid(prefix: str) -> str:
    """Return a Twilio-style SID such as ``CA`` followed by 32 hex digits."""
    return prefix + secrets.token_hex(16)


class SimulatedPhone:
    """One simulated incoming call.

    Args:
        base_url: The Frontdesk server, such as ``http://127.0.0.1:8000``.
        auth_token: Signs the webhook like Twilio does; None sends it unsigned (for servers
            with signature checks off).
        public_url: The URL the server believes it is reached at (``FRONTDESK_PUBLIC_URL``),
            which the signature covers; defaults to ``base_url``.
        from_number: The caller ID.
        to_number: The clinic's number.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth_token: str | None,
        public_url: str | None = None,
        from_number: str = "+15555550142",
        to_number: str = "+15555550100",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.public_url = (public_url or base_url).rstrip("/")
        self.auth_token = auth_token
        self.from_number = from_number
        self.to_number = to_number
        self.call_sid = new_sid("CA")
        self.stream_sid = new_sid("MZ")
        self.utterances: list[AgentUtterance] = []
        self.marks_echoed: list[str] = []
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        self._socket: ClientConnection | None = None
        self._outgoing: deque[bytes] = deque()
        self._drained = asyncio.Event()
        self._last_caller_frame_at = 0.0
        self._send_lock = asyncio.Lock()
        self._playout = bytearray()
        self._pending_marks: list[tuple[int, str]] = []  # (playout position, name)
        self._played_bytes = 0
        self._received_bytes = 0
        self._current: AgentUtterance | None = None
        self._last_agent_audio = 0.0
        self._tasks: list[asyncio.Task[None]] = []
        self._sequence = 0

    # --- call setup -------------------------------------------------------------------

    async def dial(
        self,
        *,
        before_start: tuple[str, ...] = (),
        parameters: dict[str, str] | None = None,
    ) -> None:
        """Post the incoming-call webhook, open the media stream and send ``start``.

        Args:
            before_start: Raw messages to send between ``connected`` and ``start`` (tests
                of the server's handling of early media and malformed messages).
            parameters: Replaces the stream parameters of the TwiML response (tests of
                the token check).

        Raises:
            PhoneError: When the server rejects the webhook or the TwiML has no stream.
        """
        stream_url, answered = await self._answer_webhook()
        if parameters is None:
            parameters = answered
        # Twilio does not compress media streams; neither does the simulated phone.
        self._socket = await connect(stream_url, max_size=2**22, compression=None)
        await self._send_json({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        for message in before_start:
            await self.send_raw(message)
        await self._send_json(
            {
                "event": "start",
                "sequenceNumber": self._next_sequence(),
                "streamSid": self.stream_sid,
                "start": {
                    "accountSid": "AC" + "0" * 32,
                    "streamSid": self.stream_sid,
                    "callSid": self.call_sid,
                    "tracks": ["inbound"],
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                    "customParameters": parameters,
                },
            }
        )
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._send_media(), name="phone-send"),
            loop.create_task(self._receive(), name="phone-receive"),
            loop.create_task(self._play(), name="phone-play"),
        ]

    async def _answer_webhook(self) -> tuple[str, dict[str, str]]:
        form = {
            "CallSid": self.call_sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.from_number,
            "To": self.to_number,
            "CallStatus": "ringing",
            "Direction": "inbound",
        }
        headers = {}
        if self.auth_token:
            validator = RequestValidator(self.auth_token)
            headers["X-Twilio-Signature"] = validator.compute_signature(
                self.public_url + "/twilio/voice", form
            )
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.post(
                self.base_url + "/twilio/voice", data=form, headers=headers
            )
        if response.status_code != 200:
            raise PhoneError(
                f"The call webhook failed with HTTP {response.status_code}; check the auth token."
            )
        return _stream_from_twiml(response.text, base_url=self.base_url)

    # --- caller actions ---------------------------------------------------------------

    async def say(self, ulaw: bytes) -> float:
        """Send caller speech at real-time pace; return when its last frame was sent."""
        for start in range(0, len(ulaw), FRAME_BYTES):
            frame = ulaw[start : start + FRAME_BYTES]
            self._outgoing.append(frame.ljust(FRAME_BYTES, ULAW_SILENCE))
        self._drained.clear()
        closed = asyncio.ensure_future(self.closed.wait())
        drained = asyncio.ensure_future(self._drained.wait())
        await asyncio.wait({closed, drained}, return_when=asyncio.FIRST_COMPLETED)
        closed.cancel()
        drained.cancel()
        return self._last_caller_frame_at

    async def press(self, digits: str, *, gap: float = 0.25) -> float:
        """Send DTMF key presses ``gap`` seconds apart; return when the last one was sent."""
        for number, digit in enumerate(digits):
            if number:
                await asyncio.sleep(gap)
            await self._send_json(
                {
                    "event": "dtmf",
                    "streamSid": self.stream_sid,
                    "sequenceNumber": self._next_sequence(),
                    "dtmf": {"track": "inbound_track", "digit": digit},
                }
            )
        return time.monotonic()

    async def send_raw(self, text: str) -> None:
        """Send any text message as is (for protocol tests)."""
        async with self._send_lock:
            if self._socket is not None:
                await self._socket.send(text)

    async def hang_up(self) -> None:
        """Send ``stop`` and close the websocket, as Twilio does when the caller hangs up."""
        if not self.closed.is_set():
            with contextlib.suppress(ConnectionClosed):
                await self._send_json(
                    {
                        "event": "stop",
                        "streamSid": self.stream_sid,
                        "sequenceNumber": self._next_sequence(),
                        "stop": {"accountSid": "AC" + "0" * 32, "callSid": self.call_sid},
                    }
                )
        await self.drop()

    async def drop(self) -> None:
        """Close the websocket without ``stop``, like a broken connection."""
        if self._socket is not None:
            with contextlib.suppress(ConnectionClosed):
                await self._socket.close()
        self.closed.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # --- waiting for the agent ----------------------------------------------------------

    @property
    def agent_speaking(self) -> bool:
        """Whether agent audio is playing now."""
        return self._current is not None

    async def wait_for_agent(
        self, *, after: int, quiet: float = 1.2, max_wait: float = 30.0
    ) -> list[AgentUtterance]:
        """Wait for the agent to answer after utterance number ``after`` and fall quiet.

        Args:
            after: How many utterances had been heard before; only later ones count.
            quiet: Seconds without agent audio that mean the agent has finished.
            max_wait: Seconds to wait for the agent to start and finish.

        Returns:
            The new utterances (empty when the agent said nothing or the call ended).
        """
        deadline = time.monotonic() + max_wait
        while time.monotonic() < deadline and not self.closed.is_set():
            # An utterance the caller cut off is not an answer: the agent will answer again.
            answered = any(not utterance.cleared for utterance in self.utterances[after:])
            quiet_for = time.monotonic() - self._last_agent_audio
            if answered and self._current is None and quiet_for >= quiet:
                break
            await asyncio.sleep(0.05)
        return self.utterances[after:]

    async def wait_until_agent_speaks(self, *, max_wait: float = 30.0) -> bool:
        """Wait until agent audio is playing; False on timeout or when the call ended."""
        deadline = time.monotonic() + max_wait
        while time.monotonic() < deadline and not self.closed.is_set():
            if self._current is not None:
                return True
            await asyncio.sleep(0.02)
        return False

    # --- websocket loops ----------------------------------------------------------------

    async def _send_media(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        silence = ULAW_SILENCE * FRAME_BYTES
        timestamp_ms = 0
        with contextlib.suppress(ConnectionClosed):
            while not self.closed.is_set():
                speech = bool(self._outgoing)
                frame = self._outgoing.popleft() if speech else silence
                await self._send_json(
                    {
                        "event": "media",
                        "sequenceNumber": self._next_sequence(),
                        "streamSid": self.stream_sid,
                        "media": {
                            "track": "inbound",
                            "chunk": str(self._sequence),
                            "timestamp": str(timestamp_ms),
                            "payload": base64.b64encode(frame).decode("ascii"),
                        },
                    }
                )
                if speech:
                    self._last_caller_frame_at = time.monotonic()
                    if not self._outgoing:
                        self._drained.set()
                timestamp_ms += 20
                next_at += FRAME_SECONDS
                await asyncio.sleep(max(0.0, next_at - loop.time()))

    async def _receive(self) -> None:
        assert self._socket is not None
        try:
            async for raw in self._socket:
                self._handle(json.loads(raw))
        except ConnectionClosed:
            pass
        finally:
            self.close_code = self._socket.close_code
            self.closed.set()
            self._finish_utterance(cleared=False)

    def _handle(self, message: dict[str, Any]) -> None:
        event = message.get("event")
        if event == "media":
            ulaw = base64.b64decode(message["media"]["payload"])
            if self._current is None:
                self._current = AgentUtterance(first_media_at=time.monotonic())
            self._playout.extend(ulaw)
            self._received_bytes += len(ulaw)
        elif event == "mark":
            self._pending_marks.append((self._received_bytes, message["mark"]["name"]))
            self._echo_played_marks()
        elif event == "clear":
            self._received_bytes -= len(self._playout)
            self._playout.clear()
            self._finish_utterance(cleared=True)
            for _position, name in self._pending_marks:
                self._echo_mark(name)
            self._pending_marks.clear()

    async def _play(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while not self.closed.is_set():
            if self._playout:
                chunk = bytes(self._playout[:FRAME_BYTES])
                del self._playout[:FRAME_BYTES]
                self._played_bytes += len(chunk)
                self._last_agent_audio = time.monotonic()
                if self._current is not None:
                    self._current.ulaw.extend(chunk)
            elif self._current is not None:
                self._finish_utterance(cleared=False)
            self._echo_played_marks()
            next_at += FRAME_SECONDS
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    def _echo_played_marks(self) -> None:
        while self._pending_marks and self._pending_marks[0][0] <= self._played_bytes:
            _position, name = self._pending_marks.pop(0)
            self._echo_mark(name)

    def _echo_mark(self, name: str) -> None:
        self.marks_echoed.append(name)
        message = {
            "event": "mark",
            "streamSid": self.stream_sid,
            "sequenceNumber": self._next_sequence(),
            "mark": {"name": name},
        }
        asyncio.get_running_loop().create_task(self._send_quietly(message))

    def _finish_utterance(self, *, cleared: bool) -> None:
        if self._current is None:
            return
        self._current.ended_at = time.monotonic()
        self._current.cleared = cleared
        self._last_agent_audio = time.monotonic()
        self.utterances.append(self._current)
        self._current = None

    async def _send_quietly(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._send_json(message)

    async def _send_json(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            if self._socket is None:
                raise PhoneError("Dial before sending.")
            await self._socket.send(json.dumps(message))

    def _next_sequence(self) -> str:
        self._sequence += 1
        return str(self._sequence)


def _stream_from_twiml(twiml: str, *, base_url: str) -> tuple[str, dict[str, str]]:
    """Return the stream URL and parameters of a ``<Connect><Stream>`` answer.

    The stream URL's host is replaced by ``base_url``'s, so a server that believes it is
    reached at its public URL can still be dialled locally.
    """
    root = ElementTree.fromstring(twiml)
    stream = root.find("./Connect/Stream")
    if stream is None or not stream.get("url"):
        raise PhoneError("The TwiML response has no <Connect><Stream> element.")
    parameters = {
        element.get("name", ""): element.get("value", "")
        for element in stream.findall("./Parameter")
    }
    path = "/" + stream.get("url", "").split("://", 1)[-1].split("/", 1)[-1]
    scheme = "wss" if base_url.startswith("https://") else "ws"
    host = base_url.split("://", 1)[-1]
    return f"{scheme}://{host}{path}", parameters
