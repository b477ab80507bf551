"""Answers to a read-back that are not a yes must not commit anything.

The caller has heard "Wednesday, March 11th at 8:35 AM with Doctor Patel, a 20-minute
follow-up visit. Shall I book it?". Many answers below start with "yes", "ok", "please",
"right" or "it is": ``agent.parsing.answers.classify_answer`` must not take them as a yes,
because the session sets ``ctx.caller_confirmed`` from it for both brains.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clinic.demo import DemoFacts
from tests.agent.harness import Call

BOOKING_LINES = (
    "I want to book a follow-up with Dr. Patel",
    "Margaret Chen April 12 1958",
    "next Wednesday morning",
    "the first one",
)


def _agent_bookings(call: Call, demo: DemoFacts) -> int:
    booked = call.appointments_of(demo.established_patient.id)
    return len([appointment for appointment in booked if appointment.booked_by == "agent"])


async def _at_read_back(factory: sessionmaker[Session], demo: DemoFacts) -> Call:
    call = Call(factory, demo)
    reply = await call.script(*BOOKING_LINES)
    assert "Shall I book it?" in reply.text, reply.text
    assert call.session.state.pending_read_back is not None
    return call


@pytest.mark.parametrize(
    "answer",
    [
        "maybe",
        "hmm",
        "wait",
        "no",
        "no, the 10 AM one",
        "I'm not sure",
        "yes wait",
        "yes... wait, no",
        "Yes. Wait. No.",
        "okay, what time was that again?",
        "sure, what is the address?",
        "it is too early for me",
        "yes, Thursday instead",
        "sí, pero mejor el jueves",
        "sí, espere un momento",
        "please wait",
        "ok hold on",
        "yeah let me check my calendar",
        "right?",
        "okay let me think about it",
        "ok so not Wednesday",
    ],
)
async def test_non_yes_books_nothing(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts, answer: str
) -> None:
    call = await _at_read_back(sqlite_factory, demo)

    reply = await call.say(answer)

    assert _agent_bookings(call, demo) == 0, reply.text
    assert "You're all set" not in reply.text


async def test_plain_yes_books(sqlite_factory: sessionmaker[Session], demo: DemoFacts) -> None:
    call = await _at_read_back(sqlite_factory, demo)

    reply = await call.say("yes")

    assert _agent_bookings(call, demo) == 1, reply.text
