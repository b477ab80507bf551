"""Answers to a read-back that are not a yes must not commit anything.

The caller has heard "Wednesday, March 11th at 8:35 AM with Doctor Patel, a 20-minute
follow-up visit. Shall I book it?". The answers marked ``xfail`` book the visit today:
``agent.parsing.answers.classify_answer`` reads only the start of the reply, so a leading
"yes", "ok", "please", "right" or "it is" counts as a yes whatever follows, and the
session sets ``ctx.caller_confirmed`` from it for both brains.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clinic.demo import DemoFacts
from tests.agent.harness import Call

COMMITS = "classify_answer takes a leading yes-word as a yes whatever follows it"

BOOKING_LINES = (
    "I want to book a follow-up with Dr. Patel",
    "Margaret Chen April 12 1958",
    "next Wednesday morning",
    "the first one",
)


def _commits(text: str) -> object:
    return pytest.param(text, marks=pytest.mark.xfail(strict=False, reason=COMMITS))


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
        _commits("yes wait"),
        _commits("yes... wait, no"),
        _commits("Yes. Wait. No."),
        _commits("okay, what time was that again?"),
        _commits("sure, what is the address?"),
        _commits("it is too early for me"),
        _commits("yes, Thursday instead"),
        _commits("sí, pero mejor el jueves"),
        _commits("sí, espere un momento"),
        _commits("please wait"),
        _commits("ok hold on"),
        _commits("yeah let me check my calendar"),
        _commits("right?"),
        _commits("okay let me think about it"),
        _commits("ok so not Wednesday"),
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
