"""Drive the agent through a call in text mode, turn by turn, and record what it did.

Text mode talks to :class:`agent.session.AgentSession` directly: no audio, no websocket,
so the whole suite runs in seconds. Voice mode (:mod:`evals.voice`) offers the same
:class:`Conversation` interface over a simulated phone call.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from agent.events import AgentEvent, Hangup, Speech, ToolFinished, Transfer, TurnInfo
from evals.scenario import CallerLine

if TYPE_CHECKING:
    from agent.session import AgentSession
    from evals.fixtures import ClinicDatabase
    from evals.scenario import Scenario


@dataclass
class AgentReply:
    """Everything the agent produced for one caller turn (or the greeting)."""

    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    transfer: Transfer | None = None
    hangup: Hangup | None = None
    first_speech_ms: float | None = None
    total_ms: float | None = None
    brain: str | None = None
    events: list[str] = field(default_factory=list)

    @property
    def ends_call(self) -> bool:
        """Whether the agent transferred or hung up, which ends the simulated call."""
        return self.transfer is not None or self.hangup is not None


class Conversation(Protocol):
    """One simulated call, as the run loop drives it."""

    call_sid: str

    async def greet(self) -> AgentReply:
        """Return the agent's greeting."""
        ...

    async def respond(self, line: CallerLine) -> AgentReply:
        """Send the caller's line and return the agent's reply."""
        ...

    async def finish(self) -> None:
        """End the call so the call record is finalised."""
        ...


ConversationFactory = Callable[
    ["Scenario", "ClinicDatabase", str, "PinnedClock"], Awaitable[Conversation]
]
"""Opens one run's conversation: scenario, its database, the run's CallSid and clock."""


class PinnedClock:
    """A clock fixed at the fixture's time that moves only when the run advances it.

    Every run of a scenario sees the same times, so slot searches and late-cancellation
    windows do not depend on when the suite runs.
    """

    def __init__(self, start: datetime) -> None:
        self._now = start

    def __call__(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward, as a caller turn takes a few seconds."""
        self._now += timedelta(seconds=seconds)


async def collect_reply(events: Any, started: float) -> AgentReply:
    """Consume one ``respond``/``greet`` event stream into an :class:`AgentReply`."""
    reply = AgentReply()
    sentences: list[str] = []
    event: AgentEvent
    async for event in events:
        if isinstance(event, Speech):
            if reply.first_speech_ms is None:
                reply.first_speech_ms = (time.perf_counter() - started) * 1000
            sentences.append(event.text)
        elif isinstance(event, ToolFinished):
            reply.tool_calls.append((event.name, dict(event.arguments), dict(event.result)))
            reply.events.append(f"tool {event.name}")
        elif isinstance(event, Transfer):
            reply.transfer = event
            reply.events.append(f"transfer ({event.reason}, {event.urgency})")
        elif isinstance(event, Hangup):
            reply.hangup = event
            reply.events.append(f"hangup ({event.reason})")
        elif isinstance(event, TurnInfo):
            reply.brain = event.brain
    reply.total_ms = (time.perf_counter() - started) * 1000
    reply.text = " ".join(s.strip() for s in sentences if s.strip())
    return reply


class TextConversation:
    """A call driven through :class:`AgentSession` directly.

    Silence is sent as an empty caller turn and garbled speech as text with a low
    ``stt_confidence``, the way the phone adapter reports them.
    """

    def __init__(self, session: AgentSession, *, call_sid: str, clock: PinnedClock) -> None:
        self._session = session
        self._clock = clock
        self.call_sid = call_sid

    async def greet(self) -> AgentReply:
        """Return the agent's greeting."""
        return await collect_reply(self._session.greet(), time.perf_counter())

    async def respond(self, line: CallerLine) -> AgentReply:
        """Send one caller turn and return the agent's reply."""
        self._clock.advance(5)
        text = "" if line.silence else line.text
        started = time.perf_counter()
        events = self._session.respond(text, stt_confidence=line.stt_confidence, dtmf=line.dtmf)
        return await collect_reply(events, started)

    async def finish(self) -> None:
        """Finalise the call record."""
        await self._session.finish()
