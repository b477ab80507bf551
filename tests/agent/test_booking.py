"""Booking with the offline brain on the demo clinic: the caller's words, the database after."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clinic.demo import DemoFacts
from clinic.models import Appointment, Patient, PatientStatus
from tests.agent.harness import Call

ZONE = ZoneInfo("America/New_York")


def local(moment: datetime) -> datetime:
    return moment.astimezone(ZONE)


def new_appointments(call: Call, patient_id: int, before: list[Appointment]) -> list[Appointment]:
    known = {appointment.id for appointment in before}
    return [a for a in call.appointments_of(patient_id) if a.id not in known]


async def test_book_follow_up_with_provider_next_tuesday(
    session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    patient = demo.established_patient
    call = Call(session_factory, demo)
    before = call.appointments_of(patient.id)

    offer = await call.script(
        "Hi, I'd like a follow-up with Dr. Patel next Tuesday morning",
        patient.full_name,
        "April 12th, 1958",
    )
    slots = offer.result("find_open_slots")["data"]["slots"]
    read_back = await call.say("the first one")

    assert "Shall I book it?" in read_back.text
    assert new_appointments(call, patient.id, before) == []

    booked = await call.say("yes")

    assert "You're all set" in booked.text
    [appointment] = new_appointments(call, patient.id, before)
    assert appointment.provider_id == demo.provider_ids["patel"]
    assert local(appointment.starts_at).date() == date(2026, 3, 10)
    assert local(appointment.starts_at).hour < 12
    assert local(appointment.starts_at).isoformat(timespec="minutes") == slots[0]["start"]


async def test_book_earliest_sick_visit_with_anyone(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    patient = demo.established_patient
    call = Call(sqlite_factory, demo)
    before = call.appointments_of(patient.id)

    offer = await call.script(
        "I need a sick visit, the earliest you have with anyone",
        "Margaret Chen, April 12 1958",
    )
    search = next(e for e in offer.tools if e.name == "find_open_slots")
    first = offer.result("find_open_slots")["data"]["slots"][0]
    await call.say("the first")
    await call.say("yes please")

    assert "provider" not in search.arguments
    assert search.arguments["appointment_type"] == "sick_visit"
    [appointment] = new_appointments(call, patient.id, before)
    assert local(appointment.starts_at).isoformat(timespec="minutes") == first["start"]


async def test_book_asks_for_what_is_missing(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    await call.greet()
    asked_name = await call.say("I want to make an appointment")
    asked_dob = await call.say("Margaret Chen")
    asked_type = await call.say("four twelve nineteen fifty eight")
    asked_when = await call.say("an annual physical")
    offer = await call.say("sometime next week in the afternoon")

    assert "name" in asked_name.text
    assert "date of birth" in asked_dob.text
    assert "What kind of visit" in asked_type.text
    assert "When would you like to come in?" in asked_when.text
    search = next(e for e in offer.tools if e.name == "find_open_slots")
    assert search.arguments["appointment_type"] == "annual_physical"
    assert search.arguments["date_from"] == "2026-03-09"
    assert search.arguments["date_to"] == "2026-03-15"
    assert search.arguments["time_of_day"] == "afternoon"


async def test_correction_moves_the_booking_to_thursday(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    patient = demo.established_patient
    call = Call(sqlite_factory, demo)
    before = call.appointments_of(patient.id)

    await call.script(
        "Can I book a follow-up with Dr. Patel on Tuesday?",
        "Margaret Chen, born April 12th 1958",
        "the first one",
    )
    corrected = await call.say("no, Thursday")

    search = next(e for e in corrected.tools if e.name == "find_open_slots")
    assert search.arguments["date_from"] == "2026-03-05"
    assert new_appointments(call, patient.id, before) == []

    await call.say("the first one")
    await call.say("yes")

    [appointment] = new_appointments(call, patient.id, before)
    assert local(appointment.starts_at).date() == date(2026, 3, 5)


async def test_caller_changes_mind_at_the_read_back(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    patient = demo.established_patient
    call = Call(sqlite_factory, demo)
    before = call.appointments_of(patient.id)

    await call.script(
        "I'd like to book a follow-up next Wednesday",
        "Margaret Chen",
        "April 12, 1958",
        "the second one",
    )
    dropped = await call.say("actually, never mind")
    ended = await call.say("no, that's all")

    assert "left everything as it was" in dropped.text
    assert "anything else" in dropped.text
    assert ended.hangup is not None
    assert new_appointments(call, patient.id, before) == []
    assert call.tool_names.count("book_appointment") == 1


async def test_new_patient_registers_then_books(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo, caller_number="+18025550999")

    await call.script(
        "Hi, I'm a new patient and I'd like to make an appointment",
        "Jordan Rivera",
        "May 5th, 1990",
        "this number",
        "I have Cigna",
    )
    registered = await call.say("yes")

    assert "registered" in registered.text
    with sqlite_factory() as session:
        patient = session.scalars(select(Patient).where(Patient.last_name == "Rivera")).one()
    assert patient.status is PatientStatus.PENDING_REVIEW
    assert patient.date_of_birth == date(1990, 5, 5)

    offer = await call.say("as soon as possible")
    search = next(e for e in offer.tools if e.name == "find_open_slots")
    assert search.arguments["appointment_type"] == "new_patient"

    await call.say("the first one")
    await call.say("yes")

    [appointment] = call.appointments_of(patient.id)
    assert appointment.appointment_type_id == demo.appointment_type_ids["new_patient"]
