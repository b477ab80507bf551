"""Telling Spanish from English in caller turns."""

from __future__ import annotations

from agent.language import detect_language


def test_spanish_turn_switches_the_call() -> None:
    assert detect_language("Hola, necesito una cita por favor", "en") == "es"


def test_asking_for_spanish_switches() -> None:
    assert detect_language("español", "en") == "es"


def test_one_spanish_looking_word_does_not_switch() -> None:
    assert detect_language("I'd like to see Dr. Garcia", "en") == "en"


def test_spanish_call_stays_spanish_on_a_name() -> None:
    assert detect_language("María José García-López", "es") == "es"


def test_asking_for_english_switches_back() -> None:
    assert detect_language("can we speak English please", "es") == "en"
