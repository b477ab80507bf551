"""Numbers, birth dates, phone numbers, names and yes-or-no answers from callers' words."""

from __future__ import annotations

import random
import string
from datetime import date

import pytest

from agent.parsing import (
    AnswerKind,
    PersonName,
    classify_answer,
    digit_runs,
    parse_date_of_birth,
    parse_digits,
    parse_full_name,
    parse_number,
    parse_ordinal,
    parse_phone_number,
    parse_spelled_name,
)
from tools.datetimes import resolve_date, resolve_time

TODAY = date(2026, 3, 6)

# Numbers


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("nineteen eighty-four", 1984),
        ("nineteen eighty four", 1984),
        ("two thousand and five", 2005),
        ("two thousand five", 2005),
        ("twenty twenty-six", 2026),
        ("nineteen oh five", 1905),
        ("nineteen hundred", 1900),
        ("oh three fifteen", 315),
        ("twenty one", 21),
        ("twenty-one", 21),
        ("one hundred and twelve", 112),
        ("a hundred", 100),
        ("seven", 7),
        ("zero", 0),
        ("42", 42),
        ("19 eighty-four", 1984),
        ("1,250", 1250),
        ("I'd say about forty five", 45),
        ("twelve thousand three hundred", 12300),
    ],
)
def test_parse_number(said: str, expected: int) -> None:
    assert parse_number(said) == expected


@pytest.mark.parametrize("said", ["", "none", "the third", "oh", "hundred", "lots"])
def test_parse_number_none(said: str) -> None:
    assert parse_number(said) is None


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("oh three fifteen", "0315"),
        ("zero three one five", "0315"),
        ("five five five one two one two", "5551212"),
        ("555 one two three 4567", "5551234567"),
        ("double five triple seven", "55777"),
        ("eight hundred", "800"),
        ("twenty one thirty four", "2134"),
        ("nine oh five", "905"),
        ("0 3 1 5", "0315"),
    ],
)
def test_parse_digits(said: str, expected: str) -> None:
    assert parse_digits(said) == expected


def test_digit_runs_split_at_words() -> None:
    assert digit_runs("555 or maybe 1234") == ["555", "1234"]
    assert digit_runs("oh, it's five five five") == ["555"]
    assert parse_digits("no digits here") is None


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("the second one", 2),
        ("3rd", 3),
        ("the twenty-first", 21),
        ("I'll take the first", 1),
        ("the last one", -1),
        ("that one", None),
    ],
)
def test_parse_ordinal(said: str, expected: int | None) -> None:
    assert parse_ordinal(said) == expected


# Dates of birth


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("March 15th 1984", "1984-03-15"),
        ("march 15, 1984", "1984-03-15"),
        ("it's March the fifteenth, nineteen eighty-four", "1984-03-15"),
        ("3/15/1984", "1984-03-15"),
        ("03-15-84", "1984-03-15"),
        ("3.15.84", "1984-03-15"),
        ("the fifteenth of March nineteen eighty-four", "1984-03-15"),
        ("15 March 1984", "1984-03-15"),
        ("oh three fifteen eighty four", "1984-03-15"),
        ("three fifteen nineteen eighty four", "1984-03-15"),
        ("march fifteenth eighty four", "1984-03-15"),
        ("03151984", "1984-03-15"),
        ("031584", "1984-03-15"),
        ("zero three one five one nine eight four", "1984-03-15"),
        ("1984-03-15", "1984-03-15"),
        ("15/03/1984", "1984-03-15"),
        ("June 5th, two thousand and five", "2005-06-05"),
        ("June 5th 05", "2005-06-05"),
        ("january first twenty twenty", "2020-01-01"),
        ("the 2nd of May 1999", "1999-05-02"),
        ("7-4-76", "1976-07-04"),
        ("December 31st '25", "2025-12-31"),
        ("my birthday is 10 20 2001, thanks", "2001-10-20"),
    ],
)
def test_parse_date_of_birth(said: str, expected: str) -> None:
    assert parse_date_of_birth(said, today=TODAY) == date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        # Two-digit years take the century that puts the birthday in the past.
        ("03-05-26", "2026-03-05"),
        ("03-07-26", "1926-03-07"),
        ("01-01-00", "2000-01-01"),
        ("12-31-99", "1999-12-31"),
    ],
)
def test_date_of_birth_two_digit_century(said: str, expected: str) -> None:
    assert parse_date_of_birth(said, today=TODAY) == date.fromisoformat(expected)


@pytest.mark.parametrize(
    "said",
    [
        "",
        "I don't remember",
        "march 15th",
        "March nineteen eighty-four",
        "02/30/1990",
        "13/13/1990",
        "01/01/1850",
        "12/31/2030",
        "0315198",
        "031519845",
        "call me at 555 123 4567",
    ],
)
def test_date_of_birth_none(said: str) -> None:
    assert parse_date_of_birth(said, today=TODAY) is None


# Phone numbers


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("(555) 123-4567", "+15551234567"),
        ("555.123.4567", "+15551234567"),
        ("+1 555 123 4567", "+15551234567"),
        ("1-555-123-4567", "+15551234567"),
        ("five five five, one two three, four five six seven", "+15551234567"),
        ("my number is 555 one two three 4567, thanks", "+15551234567"),
        ("double five five one two three four five six seven", "+15551234567"),
        ("area code two one two, then five five five oh one nine nine", "+12125550199"),
        ("one eight hundred five five five one two one two", "+18005551212"),
        ("I'm 45 and my number is 555 123 4567", "+15551234567"),
        ("oh, it's two oh two, five five five, oh one four three", "+12025550143"),
    ],
)
def test_parse_phone_number(said: str, expected: str) -> None:
    assert parse_phone_number(said) == expected


@pytest.mark.parametrize(
    "said",
    ["", "555-1234", "0123456789", "1123456789", "twelve", "555 123 45678 9", "no phone"],
)
def test_parse_phone_number_none(said: str) -> None:
    assert parse_phone_number(said) is None


# Names


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("P-A-T-E-L", "Patel"),
        ("p a t e l", "Patel"),
        ("P. A. T. E. L.", "Patel"),
        ("that's Smith, S M I T H", "Smith"),
        ("S as in Sam, M, I, T as in Tom, H", "Smith"),
        ("double L O Y D", "Lloyd"),
        ("O apostrophe B R I E N", "O'Brien"),
        ("G A R C I A dash L O P E Z", "Garcia-Lopez"),
        ("Lan is L A N and Nguyen is N G U Y E N", "Nguyen"),
    ],
)
def test_parse_spelled_name(said: str, expected: str) -> None:
    assert parse_spelled_name(said) == expected


@pytest.mark.parametrize("said", ["", "Patel", "I need a doctor", "no spelling here"])
def test_parse_spelled_name_none(said: str) -> None:
    assert parse_spelled_name(said) is None


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("my name is Maria Garcia-Lopez", PersonName("Maria", "Garcia-Lopez")),
        ("this is John O'Brien", PersonName("John", "O'Brien")),
        ("it's Nguyen, Lan", PersonName("Lan", "Nguyen")),
        ("Lan Nguyen", PersonName("Lan", "Nguyen")),
        ("maria garcia lopez", PersonName("Maria", "Lopez", "Garcia")),
        ("MY NAME IS JOSE NUNEZ", PersonName("Jose", "Nunez")),
        ("I am Mary Ann McDonald", PersonName("Mary", "McDonald", "Ann")),
        ("my name is John Q. Public and my birthday is", PersonName("John", "Public", "Q")),
        ("It's about my visit. My name is Ann Lee.", PersonName("Ann", "Lee")),
        ("hi, this is josé álvarez calling", PersonName("José", "Álvarez")),
    ],
)
def test_parse_full_name(said: str, expected: PersonName) -> None:
    assert parse_full_name(said) == expected


def test_person_name_full() -> None:
    assert PersonName("Mary", "McDonald", "Ann").full == "Mary Ann McDonald"


@pytest.mark.parametrize(
    "said",
    [
        "",
        "yes",
        "Hi, this is John, calling about my appointment",
        "I'm calling to book an appointment",
        "this is a new patient",
        "book an appointment",
        "next Tuesday",
        "thank you",
    ],
)
def test_parse_full_name_none(said: str) -> None:
    assert parse_full_name(said) is None


# Yes, no and corrections


@pytest.mark.parametrize(
    "said",
    [
        "yes",
        "Yeah.",
        "yep",
        "that's right",
        "That is correct",
        "sure",
        "please do",
        "go ahead",
        "sounds good",
        "okay",
        "uh huh",
        "um, well, yes",
        "sí",
        "Sí, por favor",
        "no problem",
        "yes please, thanks",
    ],
)
def test_affirm(said: str) -> None:
    assert classify_answer(said).kind is AnswerKind.AFFIRM


@pytest.mark.parametrize(
    "said",
    [
        "no",
        "No.",
        "nope",
        "nah",
        "not that one",
        "no, not that one",
        "no thank you",
        "No, thanks, that's all",
        "that's not right",
        "I don't think so",
        "don't book it",
        "no no no",
    ],
)
def test_deny(said: str) -> None:
    assert classify_answer(said).kind is AnswerKind.DENY


@pytest.mark.parametrize(
    ("said", "remainder"),
    [
        ("no, Thursday", "Thursday"),
        ("No. The 12th.", "The 12th."),
        ("nope, it's Nguyen", "it's Nguyen"),
        ("no, not Tuesday, Thursday", "not Tuesday, Thursday"),
        ("yes but at 10", "at 10"),
        ("yeah, no, Thursday", "Thursday"),
        ("actually, make it the 12th", "the 12th"),
        ("sorry, I meant Thursday", "Thursday"),
        ("how about Friday", "Friday"),
        ("that's wrong, it's 4:30", "it's 4:30"),
    ],
)
def test_correction_keeps_new_value(said: str, remainder: str) -> None:
    answer = classify_answer(said)
    assert answer.kind is AnswerKind.CORRECTION
    assert answer.remainder == remainder


def test_correction_value_resolves() -> None:
    answer = classify_answer("no, not Tuesday, Thursday at quarter to ten")
    found_date = resolve_date(answer.remainder, today=TODAY)
    found_time = resolve_time(answer.remainder)
    assert answer.kind is AnswerKind.CORRECTION
    assert found_date is not None
    assert found_date.start == date(2026, 3, 12)
    assert found_time is not None
    assert found_time.start.isoformat("minutes") == "09:45"


@pytest.mark.parametrize(
    "said", ["", "   ", "I'm not sure", "maybe", "what?", "hold on", "yesterday", "nobody"]
)
def test_unclear(said: str) -> None:
    assert classify_answer(said).kind is AnswerKind.UNCLEAR


# Nothing raises on odd input.

ODD_INPUTS = [
    "",
    " ",
    "\x00",
    "🦷" * 50,
    "-" * 200,
    "oh " * 100,
    "and and and",
    "hundred thousand hundred thousand",
    "double",
    "triple triple",
    "P-",
    "-A-",
    "my name is",
    "it's ,",
    ",,,",
    "9" * 40,
    "ÅÄÖ ñ ü ß İ ǅ",
    "as in as in as in",
    "the the the 1st",
]


def _random_inputs(count: int) -> list[str]:
    alphabet = string.ascii_letters + string.digits + " -/:.,'\"" + "ñé🦷"
    words = ["oh", "double", "hundred", "and", "the", "of", "march", "p", "as", "in", "no", "yes"]
    generator = random.Random(20260306)
    inputs = []
    for _ in range(count):
        if generator.random() < 0.5:
            inputs.append("".join(generator.choices(alphabet, k=generator.randint(0, 40))))
        else:
            inputs.append(" ".join(generator.choices(words, k=generator.randint(0, 12))))
    return inputs


@pytest.mark.parametrize("said", ODD_INPUTS + _random_inputs(300))
def test_parsers_never_raise(said: str) -> None:
    parse_number(said)
    parse_digits(said)
    parse_ordinal(said)
    parse_date_of_birth(said, today=TODAY)
    parse_phone_number(said)
    parse_spelled_name(said)
    parse_full_name(said)
    classify_answer(said)
    resolve_date(said, today=TODAY)
    resolve_time(said)
