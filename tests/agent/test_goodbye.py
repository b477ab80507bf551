"""How the offline brain takes an answer to "Is there anything else?"."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clinic.demo import DemoFacts
from tests.agent.harness import Call


async def _asked_anything_else(factory: sessionmaker[Session], demo: DemoFacts) -> Call:
    call = Call(factory, demo)
    reply = await call.script("What are your hours?")
    assert "anything else" in reply.text
    return call


@pytest.mark.parametrize(
    "text", ["No thanks", "Nope, that's all", "Not right now", "No, gracias", "Bye"]
)
async def test_no_ends_the_call(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts, text: str
) -> None:
    call = await _asked_anything_else(sqlite_factory, demo)

    reply = await call.say(text)

    assert reply.hangup is not None
    assert "Goodbye" in reply.text or "Adiós" in reply.text


@pytest.mark.parametrize(
    "text",
    [
        "What about my husband's appointment?",
        "Actually, I have one more question",
        "No, but can you tell me the address",
        "Actually what about parking",
    ],
)
async def test_follow_up_keeps_the_call_open(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts, text: str
) -> None:
    call = await _asked_anything_else(sqlite_factory, demo)

    reply = await call.say(text)

    assert reply.hangup is None, reply.text
    assert reply.text
