"""Hand-overs: failed verification discloses nothing; confusion and silence end cleanly."""

from __future__ import annotations

import re
from typing import cast

from sqlalchemy.orm import Session, sessionmaker

from agent.brain import Brain
from clinic.demo import DemoFacts
from tests.agent.harness import Call, ScriptedBrain, say, tool


async def test_wrong_birth_date_twice_transfers_and_discloses_nothing(
    session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    patient = demo.established_patient
    call = Call(session_factory, demo)

    await call.script(
        "When is my next appointment? And is my insurance still on file? I need a refill too.",
        "Margaret Chen",
        "January 5th, 1960",
    )
    final = await call.say("Chen, C H E N, born January 6th 1960")

    assert final.transfer is not None
    assert call.tool_names == ["verify_patient", "verify_patient", "transfer_to_human"]
    said = " ".join(call.agent_sentences).lower()
    forbidden = [
        "march 10",  # the upcoming appointment's date
        "9:15",
        "patel",
        "follow-up visit",
        "lisinopril",
        "atorvastatin",
        "bluecare",
        "blue cross",
        "1958",
        "april 12",
        "0142",  # the phone number on the chart
        patient.first_name.lower(),
    ]
    for detail in forbidden:
        assert detail not in said, detail
    assert call.session.state.verified_patient is None


async def test_not_understood_twice_hands_over(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    first = await call.script("the purple elephant sings loudly")
    second = await call.say("banana telescope")

    assert "didn't quite get that" in first.text
    assert first.transfer is None
    assert second.transfer is not None
    assert second.tools[0].arguments["reason"] == "the assistant could not understand the caller"


async def test_billing_question_is_handed_over(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    reply = await call.script("I was charged twice on my last bill")

    assert reply.transfer is not None
    assert reply.tools[0].arguments["reason"] == "billing question"


async def test_silence_twice_hangs_up(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    first = await call.script("")
    second = await call.say("")

    assert "still there" in first.text
    assert first.hangup is None
    assert second.hangup is not None
    assert second.hangup.reason == "silence"


async def test_low_confidence_twice_hands_over(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)
    await call.greet()

    first = await call.say("mumble book mumble", stt_confidence=0.2)
    second = await call.say("mumble mumble", stt_confidence=0.1)

    assert "say it again" in first.text
    assert first.tools == []
    assert second.transfer is not None


async def test_message_asks_callback_number(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    # With the clock after closing time nobody can take a transfer, so a message is taken.
    call = Call(sqlite_factory, demo)
    call.clock.advance(12 * 3600)

    asked = await call.script("Can someone call me back about my bill?")
    taken = await call.say("802 555 0177")

    assert "phone number" in asked.text
    assert taken.tools[-1].name == "transfer_to_human"
    assert taken.tools[-1].result["data"]["action"] == "message_taken"
    assert re.search(r"8 0 2, 5 5 5, 0 1 7 7", taken.text)
    assert call.staff_tasks()[-1].callback_number == "+18025550177"


async def test_brain_handover_is_not_repeated(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    identity = '{"first_name": "Margaret", "last_name": "Chen", "date_of_birth": "1960-01-05"}'
    brain = ScriptedBrain(
        [tool("v1", "verify_patient", identity)],
        [tool("v2", "verify_patient", identity)],
        [tool("t1", "transfer_to_human", '{"reason": "identity not verified"}')],
        [say("What's the best number to reach you?")],
    )
    call = Call(sqlite_factory, demo, brain=cast(Brain, brain))
    await call.greet()
    # After hours and without caller ID, the hand-over needs a number first and fails.
    call.clock.now = demo.now.replace(hour=3)

    reply = await call.say("Margaret Chen, January 5th 1960")

    assert reply.result("verify_patient")["escalate"] is True
    assert reply.tool_names.count("transfer_to_human") == 1
    assert reply.result("transfer_to_human")["ok"] is False
    assert reply.transfer is None
    assert reply.sentences[-1] == "What's the best number to reach you?"
