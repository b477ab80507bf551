"""Barge-in: only what the caller heard stays, and abandoned data changes never run."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from agent.events import Speech, ToolStarted
from clinic.demo import DemoFacts
from clinic.models import ToolCallRecord, TranscriptTurn
from tests.agent.harness import Call, ScriptedBrain, say, tool


def tool_records(call: Call, name: str) -> list[ToolCallRecord]:
    with call.session_factory() as session:
        return list(
            session.scalars(
                select(ToolCallRecord).where(
                    ToolCallRecord.call_id == call.session.ctx.call_id,
                    ToolCallRecord.tool_name == name,
                )
            )
        )


def assert_well_formed(call: Call) -> None:
    """Every tool call in the conversation has exactly one tool result."""
    messages = call.session.state.messages
    requested = [c["id"] for m in messages for c in m.get("tool_calls") or []]
    answered = [m["tool_call_id"] for m in messages if m.get("role") == "tool"]
    assert sorted(requested) == sorted(answered)


async def test_barge_in_before_the_commit_books_nothing(
    session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    patient = demo.established_patient
    call = Call(session_factory, demo)
    before = len(call.appointments_of(patient.id))
    await call.script(
        "I'd like a follow-up with Dr. Patel next Tuesday", "Margaret Chen", "April 12th, 1958"
    )
    await call.say("the first one")

    events = call.session.respond("yes")
    async for event in events:
        if isinstance(event, ToolStarted) and event.name == "book_appointment":
            await events.aclose()
            break
    call.session.interrupt("")

    assert len(call.appointments_of(patient.id)) == before
    committed = [r for r in tool_records(call, "book_appointment") if r.arguments["confirmed"]]
    assert committed == []
    assert_well_formed(call)

    # The barge-in itself answers the read-back that still stands.
    booked = await call.say("yes, book it")

    assert "You're all set" in booked.text
    assert len(call.appointments_of(patient.id)) == before + 1


async def test_only_delivered_text_is_kept(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    appointment = demo.upcoming_appointment
    brain = ScriptedBrain(
        [
            say("Sure, I can take care of that. I'm cancelling it now."),
            tool("t1", "cancel_appointment", f'{{"appointment_id": {appointment.id}}}'),
        ]
    )
    call = Call(sqlite_factory, demo, brain=brain)
    await call.greet()

    events = call.session.respond("please cancel my appointment")
    async for event in events:
        if isinstance(event, Speech):
            await events.aclose()
            break
    call.session.interrupt("Sure, I can")
    await call.session.finish()

    assert tool_records(call, "cancel_appointment") == []
    assistant = [m for m in call.session.state.messages if m["role"] == "assistant"]
    assert assistant[-1]["content"] == "Sure, I can"
    assert not any("cancelling it now" in str(m.get("content")) for m in assistant)
    assert_well_formed(call)
    with sqlite_factory() as session:
        turns = session.scalars(
            select(TranscriptTurn)
            .where(TranscriptTurn.call_id == call.session.ctx.call_id)
            .order_by(TranscriptTurn.seq)
        ).all()
    assert [(t.speaker, t.interrupted) for t in turns][-2:] == [("caller", False), ("agent", True)]
    assert turns[-1].text == "Sure, I can"


async def test_data_change_waits_for_the_speech_before_it(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    appointment = demo.upcoming_appointment
    brain = ScriptedBrain(
        [
            say("One moment while I cancel that."),
            tool("t1", "cancel_appointment", f'{{"appointment_id": {appointment.id}}}'),
        ],
        [say("Okay.")],
    )
    asked: list[bool] = []

    async def caller_barged_in() -> bool:
        asked.append(True)
        return False

    call = Call(sqlite_factory, demo, brain=brain, before_data_change=caller_barged_in)
    await call.greet()
    reply = await call.say("cancel my appointment")

    assert asked == [True]
    assert tool_records(call, "cancel_appointment") == []
    assert reply.tools == []
    [exchange] = call.session.state.tool_log
    assert exchange.ran is False
    assert_well_formed(call)


async def test_reads_run_without_waiting_for_speech(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    brain = ScriptedBrain(
        [say("Let me look."), tool("t1", "clinic_information", '{"topic": "hours"}')],
        [say("Those are our hours.")],
    )
    asked: list[bool] = []

    async def gate() -> bool:
        asked.append(True)
        return True

    call = Call(sqlite_factory, demo, brain=brain, before_data_change=gate)
    await call.greet()
    reply = await call.say("what are your hours")

    assert asked == []
    assert reply.tool_names == ["clinic_information"]
