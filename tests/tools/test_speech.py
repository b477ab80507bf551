"""Spoken phrases for text-to-speech: dates, times, money, lists and articles."""

from __future__ import annotations

from datetime import date, time

import pytest

from tools.speech import (
    spoken_calendar_date,
    spoken_date,
    spoken_list,
    spoken_money,
    spoken_phone,
    spoken_time,
    spoken_units,
    with_article,
)


def test_spoken_date_names_weekday() -> None:
    assert spoken_date(date(2026, 3, 10)) == "Tuesday, March 10"
    assert spoken_date(date(2026, 3, 10), with_year=True) == "Tuesday, March 10, 2026"
    assert spoken_calendar_date(date(1990, 1, 1)) == "January 1, 1990"


@pytest.mark.parametrize(
    ("clock", "expected"),
    [(time(9, 15), "9:15 AM"), (time(9, 0), "9 AM"), (time(12, 0), "noon"),
     (time(13, 5), "1:05 PM"), (time(0, 0), "midnight")],
)  # fmt: skip
def test_spoken_time(clock: time, expected: str) -> None:
    assert spoken_time(clock) == expected


def test_spoken_money() -> None:
    assert spoken_money(2500) == "$25"
    assert spoken_money(2550) == "$25.50"
    assert spoken_money(0) == "no charge"
    assert spoken_money(125_000) == "$1,250"


def test_spoken_list_joins_naturally() -> None:
    assert spoken_list([]) == ""
    assert spoken_list(["a"]) == "a"
    assert spoken_list(["a", "b"]) == "a and b"
    assert spoken_list(["a", "b", "c"], conjunction="or") == "a, b or c"


def test_spoken_phone_groups_digits() -> None:
    assert spoken_phone("+18025550100") == "802-555-0100"
    assert spoken_phone("+44 20 7946 0958") == "+44 20 7946 0958"


def test_with_article_follows_sound() -> None:
    assert with_article("annual physical") == "an annual physical"
    assert with_article("follow-up visit") == "a follow-up visit"
    assert with_article("8-minute visit") == "an 8-minute visit"
    assert with_article("11-minute visit") == "an 11-minute visit"
    assert with_article("20-minute visit") == "a 20-minute visit"
    assert with_article("hour-long visit") == "an hour-long visit"


def test_spoken_units_spells_doses() -> None:
    assert spoken_units("10 mg") == "10 milligrams"
    assert spoken_units("50 mcg") == "50 micrograms"
    assert spoken_units("0.5 mg") == "0.5 milligrams"
