"""The agent session driven by the LLM brain over real HTTP, on the seeded demo clinic.

Each test runs on SQLite and on PostgreSQL. In every failure the conversation goes on (the
fallback brain answers, or the call is handed to a person) and nothing half-done reaches
the database: no appointment is booked from a turn whose LLM response failed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from agent.brain import BrainStep, ConversationState, TextDelta
from agent.events import AgentEvent, Hangup, Speech, ToolFinished, ToolStarted, Transfer, TurnInfo
from agent.facts import load_clinic_facts
from agent.llm import LLMBrain, LLMConfig
from agent.session import AgentSession, drain
from clinic.calls import start_call
from clinic.demo import DemoFacts
from clinic.models import Appointment, AppointmentStatus, ToolCallRecord
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    Reply,
    ScriptedToolCall,
    error,
    text,
    tool_call,
)
from tools.base import CallContext

pytestmark = pytest.mark.postgres

FALLBACK_LINE = "Sorry, I will take a message for the front desk."


class StandInBrain:
    """A fallback that only apologises, so a test sees exactly what the LLM turn left."""

    name = "stand-in"
    model = None

    def __init__(self) -> None:
        self.turns: list[str] = []

    async def reply(self, state: ConversationState, caller_text: str) -> AsyncIterator[BrainStep]:
        self.turns.append(caller_text)
        yield TextDelta(FALLBACK_LINE)


class Call:
    """One call on the demo clinic: the session, its brain and the database behind it."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        demo: DemoFacts,
        fake_openai: FakeOpenAIServer,
        *,
        offline_fallback: bool = False,
        **config: Any,
    ) -> None:
        settings: dict[str, Any] = {
            "model": "fake-model",
            "base_url": fake_openai.base_url,
            "first_token_timeout": 1.0,
            "reply_timeout": 3.0,
            "max_retries": 1,
        }
        settings.update(config)

        self.session_factory = session_factory
        self.demo = demo
        self.brain = LLMBrain(LLMConfig(**settings))
        self.fallback = StandInBrain()
        self.call_id = start_call(
            session_factory,
            call_sid=f"test-{uuid.uuid4().hex}",
            channel="eval",
            from_number=None,
            to_number=None,
            now=demo.now,
            brain="llm",
            model="fake-model",
        )

        pinned = demo.now
        ctx = CallContext(
            session_factory=session_factory,
            clinic_id=demo.clinic_id,
            call_id=self.call_id,
            now=lambda: pinned,
        )
        facts = load_clinic_facts(session_factory, demo.clinic_id)
        # Without a fallback argument the session falls back to the offline brain.
        fallback = None if offline_fallback else self.fallback
        self.session = AgentSession(ctx, facts, self.brain, fallback=fallback)

    async def say(self, words: str) -> list[AgentEvent]:
        return await drain(self.session.respond(words))

    def booked_appointments(self) -> int:
        with self.session_factory() as db:
            return db.scalar(
                select(func.count())
                .select_from(Appointment)
                .where(Appointment.status == AppointmentStatus.BOOKED)
            )

    def committed_tool_calls(self, name: str) -> list[ToolCallRecord]:
        with self.session_factory() as db:
            rows = db.scalars(
                select(ToolCallRecord).where(
                    ToolCallRecord.call_id == self.call_id, ToolCallRecord.tool_name == name
                )
            ).all()
        return [row for row in rows if row.ok and row.arguments.get("confirmed")]


@pytest.fixture
async def call(session_factory, demo: DemoFacts, fake_openai: FakeOpenAIServer):
    calls: list[Call] = []

    def start(**config: Any) -> Call:
        calls.append(Call(session_factory, demo, fake_openai, **config))
        return calls[-1]

    yield start
    for started in calls:
        await started.session.finish()
        await started.brain.aclose()


def spoken(events: list[AgentEvent]) -> str:
    return " ".join(event.text for event in events if isinstance(event, Speech))


def turn_info(events: list[AgentEvent]) -> TurnInfo:
    (info,) = [event for event in events if isinstance(event, TurnInfo)]
    return info


def finished(events: list[AgentEvent], name: str) -> list[dict[str, Any]]:
    return [e.result for e in events if isinstance(e, ToolFinished) and e.name == name]


def verify_arguments(demo: DemoFacts) -> dict[str, str]:
    patient = demo.established_patient
    return {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
    }


async def verified_with_slot(call: Call, fake_openai: FakeOpenAIServer) -> dict[str, Any]:
    """Run a first turn that verifies the patient and finds slots; return the first slot."""
    fake_openai.script(
        tool_call("verify_patient", verify_arguments(call.demo), id="call_verify"),
        tool_call(
            "find_open_slots",
            {"appointment_type": "follow_up", "provider": "Patel"},
            id="call_slots",
            pieces=4,
        ),
        text("Dr. Patel has an opening. Shall I book it?"),
    )
    events = await call.say("This is Margaret Chen. I need a follow-up with Dr. Patel.")
    (verified,) = finished(events, "verify_patient")
    assert verified["ok"] is True
    (slots,) = finished(events, "find_open_slots")
    assert slots["ok"] is True
    return slots["data"]["slots"][0]


def booking_arguments(slot: dict[str, Any], *, confirmed: bool) -> dict[str, Any]:
    return {
        "provider_id": slot["provider_id"],
        "appointment_type": slot["appointment_type"],
        "start": slot["start"],
        "confirmed": confirmed,
    }


async def proposed_booking(call: Call, fake_openai: FakeOpenAIServer) -> dict[str, Any]:
    """Verify, find a slot and have the model propose it; return the booking arguments."""
    slot = await verified_with_slot(call, fake_openai)
    proposal = booking_arguments(slot, confirmed=False)
    fake_openai.script(
        tool_call("book_appointment", proposal, id="call_propose"),
        text("Shall I book it?"),
    )
    events = await call.say("Yes, that one.")
    (result,) = finished(events, "book_appointment")
    assert result["needs_confirmation"] is True
    return booking_arguments(slot, confirmed=True)


async def test_booking_through_llm(call, fake_openai: FakeOpenAIServer) -> None:
    current = call()
    before = current.booked_appointments()
    confirmed = await proposed_booking(current, fake_openai)
    fake_openai.script(
        tool_call("book_appointment", confirmed, id="call_book", pieces=5),
        text("You're all set."),
    )

    events = await current.say("Yes, please book it.")

    (result,) = finished(events, "book_appointment")
    assert result["ok"] is True
    assert "all set" in spoken(events)
    assert current.booked_appointments() == before + 1
    assert len(current.committed_tool_calls("book_appointment")) == 1
    info = turn_info(events)
    assert info.brain == "llm"
    assert info.metrics["llm_rounds"] == 2
    assert info.metrics["llm_first_token_ms"] is not None
    # Every request offered the registry's tools under the rendered system prompt.
    request = fake_openai.requests[-1]
    assert "book_appointment" in request.tool_names
    assert "transfer_to_human" in request.tool_names
    assert current.demo.clinic_name in request.messages[0]["content"]


FAILURES = {
    "timeout": [text("Too late.", headers_delay=5.0)],
    "http_500": [error(500), error(500)],
    "http_429": [error(429, retry_after=0.1), error(429, retry_after=0.1)],
}


def failing_booking(kind: str, confirmed: dict[str, Any]) -> list[Any]:
    """Scripted replies that fail while the model requests the confirmed booking."""
    arguments = json.dumps(confirmed)
    call = ScriptedToolCall("book_appointment", arguments, id="call_book", pieces=6)
    if kind == "cut_inside_tool_call":
        # The stream breaks in the middle of the arguments.
        return [Reply(tool_calls=[call], cut_after=4), Reply(tool_calls=[call], cut_after=4)]
    if kind == "cut_before_finish":
        # All arguments arrived, but the stream broke before the finish reason.
        return [Reply(tool_calls=[call], cut_after=7), Reply(tool_calls=[call], cut_after=7)]
    if kind == "stalled_after_tool_call":
        return [Reply(tool_calls=[call], stall_after=7, stall_seconds=10.0)]
    return FAILURES[kind]


@pytest.mark.parametrize(
    "kind",
    ["timeout", "http_500", "http_429", "cut_inside_tool_call", "cut_before_finish",
     "stalled_after_tool_call"],
)  # fmt: skip
async def test_failed_turn_books_nothing(call, fake_openai: FakeOpenAIServer, kind: str) -> None:
    current = call()
    confirmed = await proposed_booking(current, fake_openai)
    before = current.booked_appointments()
    fake_openai.script(*failing_booking(kind, confirmed))

    events = await current.say("Yes, please book it.")

    # The conversation goes on with the fallback brain, in the same turn.
    assert FALLBACK_LINE in spoken(events)
    assert turn_info(events).brain == "stand-in"
    # The failed LLM attempt is still measured.
    assert turn_info(events).metrics["llm_error"] in {"BrainTimeout", "BrainUnavailable"}
    assert turn_info(events).metrics["llm_requests"] >= 1
    assert finished(events, "book_appointment") == []
    assert current.booked_appointments() == before
    assert current.committed_tool_calls("book_appointment") == []
    # The rest of the call stays with the fallback; the LLM endpoint hears no more.
    requests = len(fake_openai.requests)
    later = await current.say("Hello?")
    assert FALLBACK_LINE in spoken(later)
    assert len(fake_openai.requests) == requests


async def test_invalid_arguments_twice_hand_over(call, fake_openai: FakeOpenAIServer) -> None:
    current = call()
    confirmed = await proposed_booking(current, fake_openai)
    before = current.booked_appointments()
    valid = ScriptedToolCall("book_appointment", confirmed, id="call_book")
    broken = ScriptedToolCall("find_open_slots", '{"appointment_type": ', id="call_more")
    # A valid, confirmed booking next to an invalid call, twice: neither may run.
    fake_openai.script(
        Reply(tool_calls=[valid, broken]),
        Reply(tool_calls=[valid, broken]),
    )

    events = await current.say("Yes, please book it.")

    assert finished(events, "book_appointment") == []
    assert current.booked_appointments() == before
    assert current.committed_tool_calls("book_appointment") == []
    assert len(finished(events, "transfer_to_human")) == 1
    assert any(isinstance(event, Transfer) for event in events)
    assert spoken(events)
    assert current.fallback.turns == []
    assert turn_info(events).metrics["llm_error"] == "InvalidToolArguments"
    assert turn_info(events).metrics["llm_repairs"] == 1


async def test_repaired_arguments_book_once(call, fake_openai: FakeOpenAIServer) -> None:
    current = call()
    confirmed = await proposed_booking(current, fake_openai)
    before = current.booked_appointments()
    fake_openai.script(
        tool_call("book_appointment", json.dumps(confirmed)[:-5], id="call_bad"),
        tool_call("book_appointment", confirmed, id="call_book"),
        text("You're all set."),
    )

    events = await current.say("Yes, please book it.")

    assert [result["ok"] for result in finished(events, "book_appointment")] == [True]
    assert current.booked_appointments() == before + 1
    assert turn_info(events).metrics["llm_repairs"] == 1


async def test_failure_after_speech_keeps_call_going(call, fake_openai: FakeOpenAIServer) -> None:
    current = call()
    fake_openai.script(text("Our address is twelve Maple", text_chunk_chars=9, cut_after=3))

    events = await current.say("Where are you located?")

    assert FALLBACK_LINE in spoken(events)
    assert turn_info(events).brain == "stand-in"
    # The cut sentence was never spoken: speech goes out in whole sentences only.
    assert "Maple" not in spoken(events)


@pytest.mark.parametrize(
    "failure",
    [text("Late.", headers_delay=5.0), error(503), text("We open at", cut_after=2)],
    ids=["timeout", "http_503", "stream_cut"],
)
async def test_offline_brain_takes_over(call, fake_openai: FakeOpenAIServer, failure) -> None:
    current = call(offline_fallback=True, max_retries=0)
    before = current.booked_appointments()
    fake_openai.script(failure)

    first = await current.say("Hi, what time do you open on Monday?")
    second = await current.say("And where are you located?")

    assert spoken(first)
    assert turn_info(first).brain == "offline"
    assert spoken(second)
    assert turn_info(second).brain == "offline"
    assert len(fake_openai.requests) == 1
    assert current.booked_appointments() == before


async def test_end_call_hangs_up_after_goodbye(call, fake_openai: FakeOpenAIServer) -> None:
    current = call()
    goodbye = ScriptedToolCall("end_call", {"reason": "caller_done"}, id="call_end")
    fake_openai.script(Reply(text="You're welcome. Goodbye!", tool_calls=[goodbye]))

    events = await current.say("No, that's everything. Thanks, bye.")

    assert spoken(events) == "You're welcome. Goodbye!"
    hangups = [event for event in events if isinstance(event, Hangup)]
    assert hangups == [Hangup(reason="caller_done")]
    assert events.index(hangups[0]) > max(
        index for index, event in enumerate(events) if isinstance(event, Speech)
    )
    assert not any(isinstance(event, ToolStarted) for event in events)
    assert isinstance(events[-1], TurnInfo)
    # end_call is no tool call of the conversation: no tool message must answer it.
    last = current.session.state.messages[-1]
    assert last == {"role": "assistant", "content": "You're welcome. Goodbye!"}
    with current.session_factory() as db:
        recorded = db.scalars(select(ToolCallRecord.tool_name)).all()
    assert "end_call" not in recorded


async def test_silent_end_call_says_goodbye(call, fake_openai: FakeOpenAIServer) -> None:
    current = call()
    fake_openai.script(tool_call("end_call", {"reason": "caller_done"}))

    events = await current.say("Bye.")

    assert "Goodbye" in spoken(events)
    assert current.demo.clinic_name in spoken(events)
    assert [event for event in events if isinstance(event, Hangup)] == [
        Hangup(reason="caller_done")
    ]
