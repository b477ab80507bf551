"""Spanish names, number words and dates of birth in :mod:`agent.parsing`."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from agent.parsing import PersonName, parse_date_of_birth, parse_full_name
from agent.parsing.spanish import spanish_numbers
from clinic.demo import DemoFacts
from tests.agent.harness import Call

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("veintidós", "22"),
        ("mil novecientos ochenta y cinco", "1985"),
        ("dos mil tres", "2003"),
        ("treinta y uno de diciembre", "31 de diciembre"),
        ("el primero de mayo", "el 1 de mayo"),
        ("nueve quince", "9 15"),
        ("diecinueve ochenta y cinco", "19 85"),
        ("cinco cinco cinco, uno dos", "5 5 5, 1 2"),
        ("Quiero una cita", "quiero 1 cita"),
    ],
)
def test_spanish_number_words(text: str, expected: str) -> None:
    assert spanish_numbers(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("veintidós de septiembre de mil novecientos ochenta y cinco", date(1985, 9, 22)),
        ("22 de septiembre de 1985", date(1985, 9, 22)),
        ("Nací el 22 de septiembre de 1985", date(1985, 9, 22)),
        ("el primero de mayo del setenta", date(1970, 5, 1)),
        ("doce de abril de mil novecientos cincuenta y ocho", date(1958, 4, 12)),
        ("once de marzo de dos mil cinco", date(2005, 3, 11)),
        ("septiembre 22 de 1985", date(1985, 9, 22)),
        ("12 de abril, de 1958", date(1958, 4, 12)),
    ],
)
def test_spanish_date_of_birth(text: str, expected: date) -> None:
    assert parse_date_of_birth(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    ["treinta y uno de febrero de 1990", "22 de septiembre de 2030", "veintidós de septiembre"],
)
def test_spanish_date_of_birth_rejected(text: str) -> None:
    assert parse_date_of_birth(text, today=TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Soy María José García-López", PersonName("María", "García-López", "José")),
        ("Me llamo Ana Torres y nací en 1980", PersonName("Ana", "Torres")),
        ("mi nombre es Juan Pérez", PersonName("Juan", "Pérez")),
        ("Mi nombre completo es Luis Ortega Ruiz", PersonName("Luis", "Ruiz", "Ortega")),
        ("Hola, soy Ana Torres, necesito una cita", PersonName("Ana", "Torres")),
        ("Le habla Carmen Díaz", PersonName("Carmen", "Díaz")),
        ("soy María de la Cruz", PersonName("María", "Cruz", "de la")),
    ],
)
def test_spanish_introductions(text: str, expected: PersonName) -> None:
    assert parse_full_name(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Soy paciente nueva", "Soy la mamá de Juan", "Soy diabética y necesito una cita"],
)
def test_spanish_non_introductions(text: str) -> None:
    assert parse_full_name(text) is None


async def test_spanish_caller_verifies_with_words(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    await call.script(
        "Necesito una cita",
        "Soy María José García-López",
        "veintidós de septiembre de mil novecientos ochenta y cinco",
    )

    assert call.session.ctx.verified_patient_id == demo.spanish_speaking_patient.id
    assert call.tool_names.count("verify_patient") == 1


async def test_spanish_name_and_birth_date_at_once(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)

    await call.script(
        "Necesito una cita",
        "María José García-López, veintidós de septiembre de mil novecientos ochenta y cinco",
    )

    assert call.session.ctx.verified_patient_id == demo.spanish_speaking_patient.id
