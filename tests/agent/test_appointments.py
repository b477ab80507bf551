"""The caller's existing visits with the offline brain: next visit, reschedule, cancel."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from clinic.demo import DemoFacts
from clinic.models import Appointment, AppointmentStatus
from tests.agent.harness import Call

ZONE = ZoneInfo("America/New_York")
IDENTITY = ("Margaret Chen", "April 12th, 1958")


def status_of(call: Call, appointment_id: int) -> AppointmentStatus:
    with call.session_factory() as session:
        appointment = session.get(Appointment, appointment_id)
        assert appointment is not None
        return appointment.status


async def test_next_appointment_is_said_after_verification(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    asked = await call.script("When is my next appointment?")
    reply = await call.say("Margaret Chen, April 12 1958")

    assert "verify your identity" in asked.text
    assert "March 10th at 9:15 AM" in reply.text
    assert "Patel" in reply.text
    assert call.tool_names == ["verify_patient", "list_upcoming_appointments"]


async def test_reschedule_to_next_thursday_afternoon(
    session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    old = demo.upcoming_appointment
    call = Call(session_factory, demo)

    asked_when = await call.script("I need to reschedule my appointment", *IDENTITY)
    offer = await call.say("next Thursday afternoon")
    read_back = await call.say("the first one")
    done = await call.say("yes")

    assert "When would you like to move it to?" in asked_when.text
    search = next(e for e in offer.tools if e.name == "find_open_slots")
    assert search.arguments["date_from"] == "2026-03-12"
    assert search.arguments["time_of_day"] == "afternoon"
    assert "Shall I?" in read_back.text
    assert "Done." in done.text
    assert status_of(call, old.id) is AppointmentStatus.RESCHEDULED
    [moved] = call.appointments_of(old.patient_id)
    start = moved.starts_at.astimezone(ZONE)
    assert start.date() == date(2026, 3, 12)
    assert start.hour >= 12
    assert moved.provider_id == old.provider_id


async def test_cancel_with_read_back(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    old = demo.upcoming_appointment
    call = Call(sqlite_factory, demo)

    read_back = await call.script("I have to cancel my appointment", *IDENTITY)

    assert "Shall I cancel it?" in read_back.text
    assert status_of(call, old.id) is AppointmentStatus.BOOKED

    done = await call.say("yes, please cancel it")

    assert "cancelled" in done.text
    assert status_of(call, old.id) is AppointmentStatus.CANCELLED


async def test_late_cancellation_policy_is_stated(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    john = demo.look_alike_patients[0]
    call = Call(sqlite_factory, demo)

    read_back = await call.script("I can't make my appointment, please cancel it", john.full_name,
                                  john.date_of_birth.strftime("%B %d, %Y"))  # fmt: skip

    assert "late cancellation" in read_back.text


async def test_caller_switches_from_reschedule_to_cancel(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    old = demo.upcoming_appointment
    call = Call(sqlite_factory, demo)

    await call.script("I'd like to move my appointment", *IDENTITY)
    read_back = await call.say("actually, I'd rather just cancel it")
    await call.say("yes")

    assert "Shall I cancel it?" in read_back.text
    assert status_of(call, old.id) is AppointmentStatus.CANCELLED
    assert "reschedule_appointment" not in call.tool_names
