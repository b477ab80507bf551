"""What the goal-driven caller understands of the agent's replies, in English and Spanish."""

from __future__ import annotations

import pytest

from evals.understanding import (
    clock_minutes,
    detect_topics,
    fits_part_of_day,
    offered_times,
    preferred_part_of_day,
)


@pytest.mark.parametrize(
    ("reply", "topics"),
    [
        ("Gracias. ¿Cuándo le gustaría venir? Puede decirme un día.", ["day"]),
        ("¿Para cuándo le gustaría cambiarla?", ["day"]),
        ("¿Qué otro día u hora le vendría bien?", ["day"]),
        ("What other day or time would suit you?", ["day"]),
        (
            "Le reservo una consulta el martes 3 de marzo a la 1 de la tarde. ¿Se la reservo?",
            ["confirm"],
        ),
        ("Voy a enviar la solicitud de resurtido a su farmacia. ¿La envío?", ["confirm"]),
        ("Voy a cambiar su cita de las 2 a las 3. ¿Lo hago?", ["confirm"]),
        ("Voy a cancelar su consulta. ¿La cancelo?", ["confirm"]),
        ("Disculpe, no le escuché bien. ¿Me lo puede repetir?", ["repeat"]),
        (
            "No encontré esos datos. ¿Me puede deletrear su apellido y repetir su fecha de "
            "nacimiento?",
            ["name", "date_of_birth"],
        ),
        ("¿Qué tipo de consulta necesita?", ["reason"]),
        ("Gracias por llamar. Que tenga un buen día. Adiós.", ["closing"]),
        (
            "Tengo el lunes 2 de marzo a las 2:35 de la tarde con doctor Patel, o el martes 3 de "
            "marzo a la 1 de la tarde con doctor Patel. ¿Cuál prefiere?",
            ["slot"],
        ),
    ],
)
def test_detect_topics_in_spanish(reply: str, topics: list[str]) -> None:
    assert detect_topics(reply) == topics


def test_offered_times_in_spanish() -> None:
    text = (
        "Tengo el lunes 2 de marzo a las 2:35 de la tarde con doctor Patel, o el martes 3 de "
        "marzo a la 1 de la tarde con doctor Patel."
    )
    assert offered_times(text) == [
        "el lunes 2 de marzo a las 2:35 de la tarde",
        "el martes 3 de marzo a la 1 de la tarde",
    ]


def test_offered_times_with_noon_and_ordinal() -> None:
    text = "I have Thursday, March 12th at 9:05 AM with Dr. Kim, or Friday at noon."
    assert offered_times(text) == ["Thursday, March 12th at 9:05 AM", "Friday at noon"]


def test_offered_times_ignore_dates_without_clock() -> None:
    assert offered_times("Nací el 22 de septiembre de 1985.") == []


@pytest.mark.parametrize(
    ("offered", "minutes"),
    [
        ("Tuesday at 9:15 AM", 555),
        ("Thursday at 5:40 PM", 1060),
        ("Friday at noon", 720),
        ("9 a.m.", 540),
        ("a las 2:35 de la tarde", 875),
        ("a las 12 de la tarde", 720),
        ("a las 8 de la mañana", 480),
        ("next week", None),
    ],
)
def test_clock_minutes(offered: str, minutes: int | None) -> None:
    assert clock_minutes(offered) == minutes


def test_afternoon_caller_takes_late_afternoon() -> None:
    assert fits_part_of_day("Thursday at 5:40 PM", "afternoon")
    assert not fits_part_of_day("Thursday at 6 PM", "afternoon")
    assert not fits_part_of_day("Thursday at 11:40 AM", "afternoon")


def test_morning_caller_rejects_noon() -> None:
    assert fits_part_of_day("Tuesday at 11:45 AM", "morning")
    assert not fits_part_of_day("Tuesday at noon", "morning")


@pytest.mark.parametrize(
    ("preference", "part"),
    [
        ("Morning, please.", "morning"),
        ("Any morning that week.", "morning"),
        ("This Thursday, in the afternoon.", "afternoon"),
        ("Evening, after work.", "evening"),
        ("Mañana por la tarde.", "afternoon"),
        ("Por la mañana.", "morning"),
        ("Mañana.", None),
        ("The earliest you have.", None),
    ],
)
def test_preferred_part_of_day(preference: str, part: str | None) -> None:
    assert preferred_part_of_day(preference) == part


def test_hang_up_instruction_wins_over_later_question() -> None:
    reply = (
        "Please hang up and call 9 1 1 right now. I'm sorry, I didn't quite get that. "
        "How can I help you today?"
    )
    assert detect_topics(reply) == ["hang_up"]
