"""Refills, insurance, clinic information and hand-overs with the offline brain."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from clinic.demo import DemoFacts
from clinic.models import AppointmentStatus, RefillStatus
from tests.agent.harness import Call

IDENTITY = ("Margaret Chen", "April 12th, 1958")


async def test_refill_goes_to_the_prescriber_queue(
    session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(session_factory, demo)

    read_back = await call.script("I need a refill on my lisinopril", *IDENTITY)

    assert "Shall I send it?" in read_back.text
    assert call.refill_requests() == []

    done = await call.say("yes")

    [request] = call.refill_requests()
    assert request.status is RefillStatus.QUEUED
    assert request.prescription_id == demo.refillable_prescription.id
    assert "approved" not in done.text.lower()
    assert "two business days" in done.text


async def test_refill_without_refills_left_becomes_a_renewal(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    asked = await call.script("I'm out of my medication and need a refill", *IDENTITY)
    await call.say("atorvastatin")
    await call.say("yes")

    assert "Which medication" in asked.text
    [request] = call.refill_requests()
    assert request.status is RefillStatus.RENEWAL_REQUESTED
    assert request.urgency == "urgent"


async def test_plan_acceptance_needs_no_identity(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    reply = await call.script("Do you take Aetna insurance?")

    assert call.tool_names == ["insurance_lookup"]
    assert reply.result("insurance_lookup")["ok"]
    assert "Aetna" in reply.text


async def test_plan_acceptance_asks_which_company(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    asked = await call.script("I have a question about insurance")
    reply = await call.say("Humana")

    assert "Which insurance company" in asked.text
    assert reply.tools[0].arguments["question"] == "plan_acceptance"
    assert reply.tools[0].arguments["payer"] == "humana"


async def test_coverage_on_file_needs_identity(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    asked = await call.script("What insurance do you have on file for me?")
    reply = await call.say("Margaret Chen, April 12th 1958")

    assert "verify your identity" in asked.text
    assert call.tool_names == ["verify_patient", "insurance_lookup"]
    assert reply.tools[-1].arguments["question"] == "coverage_on_file"
    assert "BlueCare" in reply.text


async def test_hours_address_and_parking(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    hours = await call.script("What are your hours?")
    address = await call.say("And what's your address?")
    parking = await call.say("Where do I park?")

    assert [e.arguments["topic"] for e in hours.tools] == ["hours"]
    assert [e.arguments["topic"] for e in address.tools] == ["address"]
    assert [e.arguments["topic"] for e in parking.tools] == ["parking"]
    assert "verify_patient" not in call.tool_names
    assert "8 AM" in hours.text


async def test_person_please_transfers(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    reply = await call.script("a person, please")

    assert reply.transfer is not None
    assert reply.transfer.number is not None
    assert reply.result("transfer_to_human")["data"]["action"] == "transfer"


async def test_two_requests_in_one_turn(
    session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    old = demo.upcoming_appointment
    call = Call(session_factory, demo)

    await call.script("I need to reschedule and refill my lisinopril", *IDENTITY)
    await call.say("next Thursday afternoon")
    await call.say("the first one")
    moved = await call.say("yes")

    assert "Now, about your refill." in moved.text
    assert "Shall I send it?" in moved.text

    await call.say("yes")

    [appointment] = call.appointments_of(old.patient_id)
    assert appointment.id != old.id
    assert appointment.status is AppointmentStatus.BOOKED
    [request] = call.refill_requests()
    assert "lisinopril" in request.medication_text.lower()
    assert call.tool_names.count("verify_patient") == 1


async def test_registration_limit_hands_over_once(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)
    await call.script(
        "I'm a new patient and I'd like to register",
        "Rosa Delgado",
        "May 17 1990",
        "802 555 0100",
        "no insurance",
        "no, my birthday is May 18 1990",
        "no, May 19 1990",
    )

    reply = await call.say("no, May 20 1990")

    assert reply.tool_names == ["register_new_patient", "transfer_to_human"]
    assert reply.transfer is not None
    assert "anything else" not in reply.text
    assert reply.result("transfer_to_human")["ok"] is True
    [handover] = [event for event in reply.tools if event.name == "transfer_to_human"]
    assert handover.arguments["callback_number"] == "+18025550100"
    assert handover.arguments["reason"] == "new patient registration could not be completed"


async def test_caller_for_relative_asked_patient_details(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    asked_name = await call.script("I'm calling about my husband's appointment")
    asked_dob = await call.say("James Miller")

    assert "the patient's first and last name" in asked_name.text
    assert "the patient's date of birth" in asked_dob.text
    assert asked_name.transfer is None


async def test_hours_question_while_asked_for_name(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)
    await call.script("I want to book an appointment")

    reply = await call.say("What are your hours?")

    assert reply.tool_names == ["clinic_information"]
    assert reply.sentences[-1] == "Could I have your first and last name, please?"
