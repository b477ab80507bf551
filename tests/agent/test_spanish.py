"""Spanish-speaking callers on the main paths with the offline brain."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from clinic.demo import DemoFacts
from tests.agent.harness import Call

ENGLISH_WORDS = ("the ", " you ", "would", "appointment", "Shall")


def spanish_only(text: str) -> bool:
    return not any(word in text for word in ENGLISH_WORDS)


async def test_spanish_caller_books_in_spanish(
    session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    patient = demo.spanish_speaking_patient
    call = Call(session_factory, demo)
    before = {a.id for a in call.appointments_of(patient.id)}

    asked_name = await call.script("Hola, necesito una cita de seguimiento por favor")
    asked_dob = await call.say("María José García-López")
    asked_when = await call.say("22 de septiembre de 1985")
    offer = await call.say("el próximo martes por la mañana")
    read_back = await call.say("la primera")
    booked = await call.say("sí, por favor")

    assert "verificar su identidad" in asked_name.text
    assert "fecha de nacimiento" in asked_dob.text
    assert "¿Cuándo le gustaría venir?" in asked_when.text
    assert "¿Cuál prefiere?" in offer.text
    assert "¿Se la reservo?" in read_back.text
    assert "quedó reservada" in booked.text
    for reply in (asked_name, asked_dob, asked_when, offer, read_back, booked):
        assert spanish_only(reply.text), reply.text

    [appointment] = [a for a in call.appointments_of(patient.id) if a.id not in before]
    start = appointment.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert start.date() == date(2026, 3, 10)
    assert start.hour < 12
    slot = offer.result("find_open_slots")["data"]["slots"][0]
    assert start.isoformat(timespec="minutes") == slot["start"]


async def test_spanish_caller_asks_for_hours(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    reply = await call.script("Buenos días, ¿cuál es su horario?")

    assert reply.tool_names == ["clinic_information"]
    assert "Nuestro horario es" in reply.text
    assert "de la mañana" in reply.text
    assert spanish_only(reply.text), reply.text


async def test_spanish_refill(sqlite_factory: sessionmaker[Session], demo: DemoFacts) -> None:
    call = Call(sqlite_factory, demo)

    await call.script("Hola, necesito resurtir mi receta", "Margaret Chen")
    asked = await call.say("12 de abril de 1958")
    read_back = await call.say("lisinopril")
    done = await call.say("sí")

    assert "¿Qué medicamento" in asked.text
    assert "¿La envío?" in read_back.text
    assert "Listo" in done.text
    [request] = call.refill_requests()
    assert request.medication_text.lower().startswith("lisinopril")


async def test_greeting_names_clinic_and_assistant(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    greeting = await call.greet()

    assert greeting.text == (
        f"Thank you for calling {demo.clinic_name}. This is the clinic's automated assistant. "
        "How can I help you today? Para español, diga español."
    )


async def test_caller_starting_in_spanish_is_answered_in_spanish(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    reply = await call.script("Hola")

    assert call.session.state.language == "es"
    assert reply.text
    assert spanish_only(reply.text), reply.text
    assert "español" not in reply.text.lower()


async def test_spanish_plan_question_in_spanish(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    reply = await call.script("¿Aceptan el seguro de Cigna?")

    assert reply.tool_names == ["insurance_lookup"]
    assert "Aceptamos estos planes de Cigna" in reply.text
    assert spanish_only(reply.text), reply.text


async def test_spanish_copay_in_spanish(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    await call.script("Hola, ¿cuánto es mi copago para una consulta de seguimiento?")
    await call.say("Margaret Chen")
    reply = await call.say("12 de abril de 1958")

    assert "insurance_lookup" in reply.tool_names
    assert "copago" in reply.text
    assert spanish_only(reply.text), reply.text
