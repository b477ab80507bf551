"""A call to the receptionist driven from a test, with what each reply said and did."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from agent.brain import Brain, BrainStep, ConversationState, TextDelta, ToolCallRequest
from agent.events import AgentEvent, Hangup, Speech, ToolFinished, Transfer
from agent.factory import build_session
from agent.session import AgentSession
from clinic.demo import DemoFacts
from clinic.models import Appointment, AppointmentStatus, RefillRequest, StaffTask
from frontdesk.settings import Settings


@dataclass
class Reply:
    """Everything one agent reply yielded."""

    events: list[AgentEvent] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        return [e.text for e in self.events if isinstance(e, Speech)]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    @property
    def tools(self) -> list[ToolFinished]:
        return [e for e in self.events if isinstance(e, ToolFinished)]

    @property
    def tool_names(self) -> list[str]:
        return [e.name for e in self.tools]

    @property
    def transfer(self) -> Transfer | None:
        return next((e for e in self.events if isinstance(e, Transfer)), None)

    @property
    def hangup(self) -> Hangup | None:
        return next((e for e in self.events if isinstance(e, Hangup)), None)

    def result(self, name: str) -> dict[str, Any]:
        """Return the last result of the tool ``name`` in this reply."""
        found = [e.result for e in self.tools if e.name == name]
        assert found, f"{name} was not called; tools called: {self.tool_names}"
        return found[-1]


class PinnedClock:
    """A clock tests move forward by hand, starting at the demo clinic's pinned now."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Call:
    """One call to the receptionist on the demo clinic.

    Args:
        session_factory: Sessions on the seeded demo clinic.
        demo: Facts about the seeded clinic.
        brain: The brain to answer with; the offline brain by default.
        caller_number: The caller ID presented.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        demo: DemoFacts,
        *,
        brain: Brain | None = None,
        caller_number: str | None = None,
        **options: Any,
    ) -> None:
        self.session_factory = session_factory
        self.demo = demo
        self.clock = PinnedClock(demo.now)
        self.call_sid = f"CAtest{uuid.uuid4().hex[:26]}"
        self.session: AgentSession = build_session(
            Settings(llm_base_url=None, llm_api_key=None),
            session_factory,
            call_sid=self.call_sid,
            caller_number=caller_number,
            channel="eval",
            now=self.clock,
            clinic_id=demo.clinic_id,
            brain=brain,
            **options,
        )
        self.replies: list[Reply] = []

    async def greet(self) -> Reply:
        reply = Reply([event async for event in self.session.greet()])
        self.replies.append(reply)
        return reply

    async def say(self, text: str, **options: Any) -> Reply:
        """Send one caller turn and return the agent's whole reply."""
        self.clock.advance(5)
        reply = Reply([event async for event in self.session.respond(text, **options)])
        self.replies.append(reply)
        return reply

    async def script(self, *lines: str) -> Reply:
        """Greet, then send each line; return the last reply."""
        await self.greet()
        reply = Reply()
        for line in lines:
            reply = await self.say(line)
        return reply

    @property
    def agent_sentences(self) -> list[str]:
        return [sentence for reply in self.replies for sentence in reply.sentences]

    @property
    def tool_names(self) -> list[str]:
        return [name for reply in self.replies for name in reply.tool_names]

    # --- the database afterwards ---------------------------------------------------------

    def appointments_of(self, patient_id: int) -> list[Appointment]:
        with self.session_factory() as session:
            return list(
                session.scalars(
                    select(Appointment)
                    .where(
                        Appointment.patient_id == patient_id,
                        Appointment.status == AppointmentStatus.BOOKED,
                    )
                    .order_by(Appointment.starts_at)
                )
            )

    def count(self, model: type[Any]) -> int:
        with self.session_factory() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

    def refill_requests(self) -> list[RefillRequest]:
        with self.session_factory() as session:
            return list(session.scalars(select(RefillRequest).order_by(RefillRequest.id)))

    def staff_tasks(self) -> list[StaffTask]:
        with self.session_factory() as session:
            return list(session.scalars(select(StaffTask).order_by(StaffTask.id)))


class ScriptedBrain:
    """A brain that replies with prepared steps, one list per call of :meth:`reply`.

    It records every caller text it was asked about, so a test can assert that a turn
    never reached the brain.
    """

    name = "scripted"
    model = None

    def __init__(self, *replies: list[BrainStep] | Exception) -> None:
        self._replies = list(replies)
        self.calls: list[tuple[str, int]] = []

    async def reply(self, state: ConversationState, caller_text: str) -> AsyncIterator[BrainStep]:
        self.calls.append((caller_text, state.tool_round))
        step = self._replies.pop(0) if self._replies else [TextDelta("Okay.")]
        if isinstance(step, Exception):
            raise step
        for item in step:
            yield item


def say(text: str) -> TextDelta:
    return TextDelta(text)


def tool(call_id: str, name: str, arguments: str) -> ToolCallRequest:
    return ToolCallRequest(call_id, name, arguments)
