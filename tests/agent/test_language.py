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


def test_first_turn_hola_switches() -> None:
    assert detect_language("Hola", "en", first_turn=True) == "es"
    assert detect_language("¿Una cita?", "en", first_turn=True) == "es"


def test_one_spanish_word_later_does_not_switch() -> None:
    assert detect_language("Hola", "en") == "en"


def test_first_turn_english_with_spanish_name_stays() -> None:
    assert detect_language("Hi, this is Maria Gracias", "en", first_turn=True) == "en"
    assert detect_language("Jose Garcia", "en", first_turn=True) == "en"
