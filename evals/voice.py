"""Voice mode: each run is a simulated phone call through the real server and audio pipeline.

Per run, the Frontdesk app starts on 127.0.0.1 with the run's own database, and
:class:`telephony.phone.SimulatedPhone` calls it over the signed webhook and the media-stream
websocket. Caller lines are spoken with the piper voice as 8 kHz mu-law; the agent's audio
is transcribed back with whisper and kept beside its words. Speech models load once per
suite and every run's app shares them.

The agent session inside the app is wrapped so the run sees its events (tool calls,
transfers, hang-ups) exactly as text mode does; grading reads the agent's words from those
events, and the transcription of its audio goes into the report.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from pydantic import SecretStr

from agent.events import AgentEvent, TurnInfo
from evals.conversation import (
    AgentReply,
    Conversation,
    ConversationFactory,
    PinnedClock,
    collect_reply,
)
from evals.fixtures import ClinicDatabase
from evals.scenario import CallerLine, Scenario
from frontdesk.settings import Settings

AUTH_TOKEN = "frontdesk-eval-webhook-token"
QUIET_SECONDS = 1.2
"""Agent silence that ends its reply, as the simulated phone measures it."""
TURN_TIMEOUT_SECONDS = 40.0
SERVER_START_POLLS = 200  # of 50 ms each


class RecordingAgent:
    """An agent session that keeps every event it yields, for grading.

    Telephony drives it exactly as it drives the session; closing a ``respond`` stream on
    barge-in closes the session's stream too.
    """

    def __init__(self, session: Any) -> None:
        self.session = session
        self.events: list[AgentEvent] = []
        # What speech-to-text made of each caller turn, with its confidence when known.
        self.heard_caller: list[tuple[str, float | None]] = []
        # Whether the reply to each of those turns yielded any event. Telephony may close a
        # reply's stream on barge-in before the session has run its safety screen.
        self.answered: list[bool] = []
        self.replies_started = 0
        self.replies_ended = 0

    @property
    def idle(self) -> bool:
        """Whether no greeting or reply is being produced right now."""
        return self.replies_started == self.replies_ended

    async def _relay(
        self, stream: AsyncIterator[AgentEvent], turn: int | None = None
    ) -> AsyncIterator[AgentEvent]:
        self.replies_started += 1
        try:
            async for event in stream:
                self.events.append(event)
                if turn is not None:
                    self.answered[turn] = True
                yield event
        finally:
            self.replies_ended += 1
            await stream.aclose()  # type: ignore[attr-defined]

    def greet(self) -> AsyncIterator[AgentEvent]:
        """Relay the session's greeting."""
        return self._relay(self.session.greet())

    def respond(
        self, caller_text: str, *, stt_confidence: float | None = None, dtmf: str | None = None
    ) -> AsyncIterator[AgentEvent]:
        """Relay the session's reply and note what speech-to-text made of the caller."""
        self.heard_caller.append((caller_text, stt_confidence))
        self.answered.append(False)
        return self._relay(
            self.session.respond(caller_text, stt_confidence=stt_confidence, dtmf=dtmf),
            len(self.answered) - 1,
        )

    def interrupt(self, delivered_text: str) -> None:
        """Pass a barge-in on to the session."""
        self.session.interrupt(delivered_text)

    async def finish(self, *, outcome: str | None = None) -> None:
        """Finalise the session's call record."""
        await self.session.finish(outcome=outcome)


_TITLES = re.compile(r"\b(Dr|Mr|Mrs|Ms)\.(?=\s)")
_TITLE_WORDS = {"Dr": "Doctor", "Mr": "Mister", "Mrs": "Missus", "Ms": "Miz"}


def spoken_form(text: str) -> str:
    """Return a caller line as the caller's voice should read it: "Dr. Patel" as "Doctor Patel".

    Piper ends a sentence at the full stop of a title and pauses there as long as at a
    comma (270 ms, measured with the bundled voice). No caller pauses inside "Dr. Patel",
    and the pause alone can end the caller's turn.
    """
    return _TITLES.sub(lambda match: _TITLE_WORDS[match.group(1)], text)


def _heard_event(text: str, confidence: float | None, answered: bool) -> str:
    score = "" if confidence is None else f" ({confidence:.2f})"
    unanswered = "" if answered else " [no agent reply]"
    return f"speech-to-text{score}: {text}{unanswered}"


async def _events_as_stream(events: list[AgentEvent]) -> AsyncIterator[AgentEvent]:
    for event in events:
        yield event


class VoiceConversation:
    """One run's phone call: speak each caller line, wait for the agent's whole reply."""

    def __init__(self, phone: Any, server: uvicorn.Server, models: Any) -> None:
        self._phone = phone
        self._server = server
        self._models = models
        self.agent: RecordingAgent | None = None
        self.call_sid: str = phone.call_sid

    async def _wait_until_idle(self, mark: int) -> list[AgentEvent]:
        # End-of-turn detection may split one caller line into several agent turns, so the
        # reply is every event until the agent has answered and has nothing in progress.
        deadline = time.monotonic() + TURN_TIMEOUT_SECONDS
        while time.monotonic() < deadline and not self._phone.closed.is_set():
            agent = self.agent
            answered = agent is not None and any(
                isinstance(e, TurnInfo) for e in agent.events[mark:]
            )
            if agent is not None and answered and agent.idle:
                break
            await asyncio.sleep(0.05)
        return [] if self.agent is None else self.agent.events[mark:]

    async def _reply(
        self, mark: int, heard_before: int, spoken_at: float, heard_from: int = 0
    ) -> AgentReply:
        await self._wait_until_idle(mark)
        utterances = await self._phone.wait_for_agent(
            after=heard_before, quiet=QUIET_SECONDS, max_wait=TURN_TIMEOUT_SECONDS
        )
        events = await self._wait_until_idle(mark)
        reply = await collect_reply(_events_as_stream(events), time.perf_counter())
        reply.first_speech_ms = None
        reply.total_ms = None
        if utterances:
            reply.first_speech_ms = (utterances[0].first_media_at - spoken_at) * 1000
            reply.total_ms = (utterances[-1].ended_at - spoken_at) * 1000
            if reply.first_speech_ms < 0:
                # The agent answered part of the line while the caller was still speaking: a
                # turn split at a pause. That is no reply latency, so it stays out of the figures.
                reply.events.append(
                    f"talked over the caller: first audio {-reply.first_speech_ms:.0f} ms "
                    "before the line ended"
                )
                reply.first_speech_ms = None
            agent_heard = await asyncio.to_thread(self._transcribe, utterances)
            reply.events.append(f"heard: {agent_heard}")
        if self.agent is not None:
            heard = [
                _heard_event(text, confidence, answered)
                for (text, confidence), answered in zip(
                    self.agent.heard_caller[heard_from:],
                    self.agent.answered[heard_from:],
                    strict=True,
                )
            ]
            reply.events[:0] = heard
        return reply

    def _transcribe(self, utterances: list[Any]) -> str:
        from telephony.caller_audio import ulaw_to_pipeline_pcm

        audio = b"".join(bytes(u.ulaw) for u in utterances)
        return str(self._models.transcribe(ulaw_to_pipeline_pcm(audio)).text).strip()

    async def greet(self) -> AgentReply:
        """Dial, then return the greeting once it has played."""
        await self._phone.dial()
        return await self._reply(0, 0, time.monotonic())

    async def respond(self, line: CallerLine) -> AgentReply:
        """Speak, press keys or stay silent, then return the agent's reply."""
        from telephony.caller_audio import synthesize_caller_line

        mark = len(self.agent.events) if self.agent is not None else 0
        heard_from = len(self.agent.heard_caller) if self.agent is not None else 0
        heard_before = len(self._phone.utterances)
        if line.dtmf:
            spoken_at = await self._phone.press(line.dtmf)
        elif line.silence:
            spoken_at = time.monotonic()
        else:
            spoken = spoken_form(line.text)
            audio = await asyncio.to_thread(synthesize_caller_line, self._models.voice, spoken)
            spoken_at = await self._phone.say(audio)
        return await self._reply(mark, heard_before, spoken_at, heard_from)

    async def finish(self) -> None:
        """Hang up, let the server finalise the call record, and stop the server."""
        await self._phone.hang_up()
        if self.agent is not None:
            # The server finishes the session when the stream stops; give it a moment.
            await asyncio.sleep(1.0)
            await self.agent.finish()
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.2)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def voice_conversation_factory(settings: Settings) -> ConversationFactory:
    """Return a conversation factory that places simulated phone calls.

    The speech models load on the first call and are shared by every run after it.
    """
    from telephony.phone import SimulatedPhone
    from telephony.runtime import AgentHandle, CallSetup
    from telephony.speech import load_speech_models

    loaded: list[Any] = []

    async def factory(
        scenario: Scenario, database: ClinicDatabase, call_sid: str, clock: PinnedClock
    ) -> Conversation:
        from agent.factory import build_session
        from frontdesk.app import create_app

        if not loaded:
            loaded.append(await asyncio.to_thread(load_speech_models, settings))
        models = loaded[0]
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        run_settings = settings.model_copy(
            update={
                "database_url": database.url,
                "public_url": base_url,
                "twilio_auth_token": SecretStr(AUTH_TOKEN),
                "verify_twilio_signature": True,
                "record_calls": False,
            }
        )
        conversation: VoiceConversation

        async def start_agent(setup: CallSetup) -> AgentHandle:
            session = await asyncio.to_thread(
                build_session,
                run_settings,
                database.session_factory,
                call_sid=setup.call_sid,
                caller_number=setup.from_number,
                channel="eval",
                now=clock,
                before_data_change=setup.before_data_change,
            )
            conversation.agent = RecordingAgent(session)
            return AgentHandle(agent=conversation.agent, call_id=session.ctx.call_id)

        app = create_app(run_settings, speech_models=models, agent_factory=start_agent)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        asyncio.get_running_loop().create_task(server.serve(), name=f"eval-server-{call_sid}")
        for _ in range(SERVER_START_POLLS):
            if server.started:
                break
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError(f"The eval server on port {port} did not start within 10 s.")
        caller_number = scenario.fixture.caller_number or scenario.caller.facts.phone
        phone = SimulatedPhone(
            base_url,
            auth_token=AUTH_TOKEN,
            from_number=_e164(caller_number) or "+18025550000",
        )
        conversation = VoiceConversation(phone, server, models)
        return conversation

    return factory


def _e164(number: str | None) -> str | None:
    if not number:
        return None
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) == 10:
        digits = "1" + digits
    return "+" + digits
