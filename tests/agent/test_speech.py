"""Speech-ready text: what a text-to-speech voice is given."""

from __future__ import annotations

from datetime import date

import pytest

from agent.speech import speakable, spoken_phone

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "**Tuesday, March 10 at 9:15 AM** with Dr. Patel.",
            "Tuesday, March 10th at 9:15 AM with Doctor Patel.",
        ),
        ("Your copay is $25.00.", "Your copay is 25 dollars."),
        ("The fee is $25.50.", "The fee is 25 dollars and 50 cents."),
        ("Call (802) 555-0100.", "Call 8 0 2, 5 5 5, 0 1 0 0."),
        ("Call +18025550100 today.", "Call 8 0 2, 5 5 5, 0 1 0 0 today."),
        ("Hang up and call 911 now.", "Hang up and call 9 1 1 now."),
        ("Call or text 988.", "Call or text 9 8 8."),
        ("On 2026-03-10 at 14:30.", "On Tuesday, March 10th at 2:30 PM."),
        ("At 9:05 a.m. or 12:00 PM.", "At nine oh five AM or noon."),
        ("Or 14:07, or 10:05 AM.", "Or two oh seven PM, or ten oh five AM."),
        ("See you 3/12/2026.", "See you Thursday, March 12th."),
        ("Lisinopril 10 mg.", "Lisinopril 10 milligrams."),
        ("- Monday\n- Tuesday", "Monday, Tuesday"),
        ("We're at 12 Main St. near St. Mary's.", "We're at 12 Main Street near Saint Mary's."),
        ("Visit https://portal.example.com/login.", "Visit portal.example.com/login."),
    ],
)
def test_speakable_english(text: str, expected: str) -> None:
    assert speakable(text, today=TODAY) == expected


def test_speakable_spanish() -> None:
    text = "La cita es el 2026-03-10T09:15 con el Dr. Patel; el copago es $25."
    spoken = speakable(text, language="es", today=TODAY)

    assert "martes 10 de marzo a las 9:15 de la mañana" in spoken
    assert "doctor Patel" in spoken
    assert "25 dólares" in spoken


def test_speakable_converts_offsets_to_the_clinic_zone() -> None:
    spoken = speakable("2026-03-10T14:30:00+00:00", today=TODAY, timezone="America/New_York")

    assert spoken == "Tuesday, March 10th at 10:30 AM"


def test_spoken_phone_groups_digits() -> None:
    assert spoken_phone("+1 802-555-0142") == "8 0 2, 5 5 5, 0 1 4 2"
    assert spoken_phone("555-0142") == "5 5 5, 0 1 4 2"


def test_speakable_spanish_minutes_with_zero() -> None:
    spoken = speakable("a las 9:05 de la mañana", language="es", today=TODAY)

    assert spoken == "a las 9 y 5 de la mañana"
