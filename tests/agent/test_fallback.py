"""Brain failures mid-call: the offline brain takes over; broken tool use hands over."""

from __future__ import annotations

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
