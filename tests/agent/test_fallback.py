"""Brain failures mid-call: the offline brain takes over; broken tool use hands over."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session, sessionmaker

from agent.brain import BrainTimeout, BrainUnavailable, InvalidToolArguments
from clinic.demo import DemoFacts
from clinic.models import Call as CallRow
from tests.agent.harness import Call, ScriptedBrain, say, tool

ERROR_WORDS = ("error", "wrong", "problem", "trouble", "timed out", "failed")


async def test_brain_failure_falls_back_offline(
    session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    brain = ScriptedBrain([say("Hello! ")], BrainUnavailable("HTTP 503"))
    call = Call(session_factory, demo, brain=brain)
    await call.greet()

    first = await call.say("hi there")
    second = await call.say("I'd like to book a follow-up with Dr. Patel")

    assert first.text == "Hello!"
    assert "verify your identity" in second.text
    assert not any(word in second.text.lower() for word in ERROR_WORDS)
    assert call.session.brain_name == "offline"
    assert len(brain.calls) == 2

    third = await call.say("Margaret Chen, April 12th 1958")
    assert "verify_patient" in third.tool_names
    assert len(brain.calls) == 2

    await call.session.finish()
    with session_factory() as session:
        row = session.get(CallRow, call.session.ctx.call_id)
        assert row is not None
        assert row.brain == "offline"


async def test_timeout_after_a_spoken_sentence_keeps_it(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    class SpeaksThenTimesOut(ScriptedBrain):
        async def reply(self, state, caller_text):  # type: ignore[no-untyped-def]
            self.calls.append((caller_text, state.tool_round))
            yield say("Let me check our hours. And")
            raise BrainTimeout("no token in time")

    call = Call(sqlite_factory, demo, brain=SpeaksThenTimesOut())
    await call.greet()

    reply = await call.say("what are your hours")

    assert reply.sentences[0] == "Let me check our hours."
    assert "And" not in reply.sentences
    assert reply.tool_names == ["clinic_information"]


async def test_invalid_tool_arguments_from_the_brain_hand_over(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    brain = ScriptedBrain([say("Sure. ")], InvalidToolArguments("twice"))
    call = Call(sqlite_factory, demo, brain=brain)
    await call.greet()

    await call.say("hello")
    reply = await call.say("book me something")

    assert reply.transfer is not None
    assert reply.tool_names == ["transfer_to_human"]


async def test_invalid_arguments_twice_in_results_hand_over(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    brain = ScriptedBrain(
        [tool("t1", "find_open_slots", '{"appointment_type": "follow_up", "date_from": "soon"}')],
        [tool("t2", "find_open_slots", '{"appointment_type": "follow_up", "when": "soon"}')],
        [say("Here you go.")],
    )
    call = Call(sqlite_factory, demo, brain=brain)
    await call.greet()

    reply = await call.say("anything next week?")

    assert reply.tool_names == ["find_open_slots", "find_open_slots", "transfer_to_human"]
    assert reply.transfer is not None
    assert "Here you go." not in reply.text


class ProposesThenFails:
    """An LLM stand-in: verifies, searches, reads back the first slot, then fails."""

    name = "llm"
    model = "stand-in"

    async def reply(self, state, caller_text):  # type: ignore[no-untyped-def]
        if state.turn > 1:
            raise BrainUnavailable("HTTP 502")
        if state.tool_round == 0:
            identity = {
                "first_name": "Margaret",
                "last_name": "Chen",
                "date_of_birth": "1958-04-12",
            }
            yield tool("v1", "verify_patient", json.dumps(identity))
        elif state.tool_round == 1:
            search = {
                "appointment_type": "follow_up",
                "provider": "Patel",
                "date_from": "2026-03-10",
            }
            yield tool("f1", "find_open_slots", json.dumps(search))
        elif state.tool_round == 2:
            slot = state.tool_log[-1].result.data["slots"][0]
            arguments = {key: slot[key] for key in ("provider_id", "appointment_type", "start")}
            yield tool("b1", "book_appointment", json.dumps(arguments))
        else:
            yield say(state.pending_read_back.message)


async def test_offline_brain_commits_the_llm_read_back(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    patient = demo.established_patient
    call = Call(sqlite_factory, demo, brain=ProposesThenFails())
    before = {a.id for a in call.appointments_of(patient.id)}
    await call.greet()

    read_back = await call.say("Margaret Chen, April 12 1958: a follow-up with Dr. Patel please")
    booked = await call.say("yes")

    assert "Shall I book it?" in read_back.text
    assert "You're all set" in booked.text
    assert call.session.brain_name == "offline"
    assert len([a for a in call.appointments_of(patient.id) if a.id not in before]) == 1
