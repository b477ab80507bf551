"""The parts of the phone service that all calls of a process share.

The app's lifespan builds one :class:`Telephony` and stores it in ``app.state.telephony``;
the routes in :mod:`telephony.routes` read it for each webhook and media stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from agent.events import AgentEvent
from frontdesk.settings import Settings
from telephony.control import CallControl
from telephony.records import CallRecords
from telephony.speech import SpeechModels
from telephony.turns import TurnTiming

if TYPE_CHECKING:
    from telephony.call import PhoneCall

DataChangeGate = Callable[[], Awaitable[bool]]


class CallAgent(Protocol):
    """The agent session of one call, as telephony drives it."""

    def greet(self) -> AsyncIterator[AgentEvent]: ...

    def respond(
        self, caller_text: str, *, stt_confidence: float | None = None, dtmf: str | None = None
    ) -> AsyncIterator[AgentEvent]: ...

    def interrupt(self, delivered_text: str) -> None: ...

    async def finish(self, *, outcome: str | None = None) -> None: ...


@dataclass(frozen=True)
class CallSetup:
    """The facts an agent factory receives to start the agent of a new call.

    Attributes:
        call_sid: Twilio's CallSid.
        from_number: The caller ID from the signed webhook, if any.
        to_number: The number dialled, if any.
        before_data_change: Awaited by the agent before a data-changing tool call of a reply
            that has started speaking; True once that speech has played, False after a
            barge-in.
    """

    call_sid: str
    from_number: str | None
    to_number: str | None
    before_data_change: DataChangeGate


@dataclass(frozen=True)
class AgentHandle:
    """A started agent and the ``call`` row it records to (None when it keeps none)."""

    agent: CallAgent
    call_id: int | None


AgentFactory = Callable[[CallSetup], Awaitable[AgentHandle]]


@dataclass
class Telephony:
    """The process-wide parts of the phone service.

    Attributes:
        settings: The deployment's settings.
        models: Speech models loaded once for all calls.
        call_control: Transfers and hang-ups.
        agent_factory: Starts the agent of a new call.
        records: Telephony's writes to the call record.
        timing: Turn-taking timing.
        vocabulary: The clinic's names for speech-to-text (see :mod:`telephony.vocabulary`).
        calls: The calls in progress, by CallSid.
    """

    settings: Settings
    models: SpeechModels
    call_control: CallControl
    agent_factory: AgentFactory
    records: CallRecords
    timing: TurnTiming = field(default_factory=TurnTiming)
    vocabulary: str = ""
    calls: dict[str, PhoneCall] = field(default_factory=dict)


def database_agent_factory(
    settings: Settings,
    session_factory: sessionmaker[Session],
    *,
    now: datetime | Callable[[], datetime] | None = None,
) -> AgentFactory:
    """Return a factory that starts :class:`agent.session.AgentSession` for phone calls.

    The brain is built once and shared by every call, as :func:`agent.factory.default_brain`
    recommends (the LLM brain keeps an HTTP client).

    Args:
        settings: The deployment's settings.
        session_factory: Sessions on the clinic database.
        now: Pins the agent's clock (a fixed instant or a clock function), as the simulated
            phone does for the demo clinic; the system clock when None.
    """
    from agent.factory import build_session, default_brain

    brain = default_brain(settings)

    async def start(setup: CallSetup) -> AgentHandle:
        session: Any = await asyncio.to_thread(
            build_session,
            settings,
            session_factory,
            call_sid=setup.call_sid,
            caller_number=setup.from_number,
            to_number=setup.to_number,
            channel="phone",
            now=now,
            brain=brain,
            before_data_change=setup.before_data_change,
        )
        return AgentHandle(agent=session, call_id=session.ctx.call_id)

    return start
