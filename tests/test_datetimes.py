"""Spoken dates and times resolved to clinic-local ISO values, and local time across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from tools.datetimes import (
    NonexistentLocalTimeError,
    UnknownTimeZoneError,
    clinic_today,
    is_ambiguous_local_time,
    local_to_utc,
    resolve_date,
    resolve_date_time,
    resolve_time,
    speak_date,
    speak_time,
    utc_to_local,
)

# Monday 2 March 2026 to Sunday 8 March 2026; clocks in the US spring forward on the 8th.
MONDAY = date(2026, 3, 2)
WEEK = [date(2026, 3, day) for day in range(2, 9)]
FRIDAY = date(2026, 3, 6)


def d(text: str) -> date:
    return date.fromisoformat(text)


def t(text: str) -> time:
    return time.fromisoformat(text)


# Dates


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("today", "2026-03-06"),
        ("can I come in later today", "2026-03-06"),
        ("tomorrow", "2026-03-07"),
        ("the day after tomorrow", "2026-03-08"),
        ("day after tomorrow works", "2026-03-08"),
        ("Tuesday", "2026-03-10"),
        ("on friday please", "2026-03-13"),
        ("this Tuesday", "2026-03-10"),
        ("this Friday", "2026-03-06"),
        ("next Tuesday", "2026-03-10"),
        ("Tuesday next week", "2026-03-10"),
        ("next week on Wednesday", "2026-03-11"),
        ("Saturday this week", "2026-03-07"),
        ("Monday of this week", "2026-03-02"),
        ("Friday after next", "2026-03-20"),
        ("a week from Friday", "2026-03-20"),
        ("two weeks from tomorrow", "2026-03-21"),
        ("a week from today", "2026-03-13"),
        ("in two weeks", "2026-03-20"),
        ("in 3 days", "2026-03-09"),
        ("in a couple of days", "2026-03-08"),
        ("in a month", "2026-04-06"),
        ("the 3rd", "2026-04-03"),
        ("the 6th", "2026-03-06"),
        ("the twenty-first", "2026-03-21"),
        ("on the 9", "2026-03-09"),
        ("March 5th", "2027-03-05"),
        ("March 6th", "2026-03-06"),
        ("March 18th", "2026-03-18"),
        ("5 March", "2027-03-05"),
        ("the 18th of March", "2026-03-18"),
        ("March the 18th", "2026-03-18"),
        ("march eighteenth", "2026-03-18"),
        ("3/14", "2026-03-14"),
        ("3/14/2027", "2027-03-14"),
        ("03/14/27", "2027-03-14"),
        ("2026-03-14", "2026-03-14"),
        ("April 2nd, 2027", "2027-04-02"),
        ("the 20th of this month", "2026-03-20"),
        ("the 2nd of next month", "2026-04-02"),
        ("Friday the 13th", "2026-03-13"),
        ("Tuesday the 14th", "2026-04-14"),
        ("Thursday, April 2", "2026-04-02"),
    ],
)
def test_resolve_date_single(said: str, expected: str) -> None:
    found = resolve_date(said, today=FRIDAY)
    assert found is not None
    assert found.start == d(expected)
    assert not found.is_range


@pytest.mark.parametrize(
    ("said", "start", "end"),
    [
        ("next week", "2026-03-09", "2026-03-15"),
        ("this week", "2026-03-06", "2026-03-08"),
        ("sometime later this week", "2026-03-06", "2026-03-08"),
        ("the week after next", "2026-03-16", "2026-03-22"),
        ("early next week", "2026-03-09", "2026-03-11"),
        ("next month", "2026-04-01", "2026-04-30"),
        ("this month", "2026-03-06", "2026-03-31"),
        ("end of the month", "2026-03-21", "2026-03-31"),
        ("at the end of next month", "2026-04-21", "2026-04-30"),
        ("the first week of April", "2026-04-01", "2026-04-07"),
        ("the second week of April", "2026-04-08", "2026-04-14"),
        ("the last week of February", "2027-02-22", "2027-02-28"),
        ("the first week of March", "2026-03-06", "2026-03-07"),
        ("the first week of February", "2027-02-01", "2027-02-07"),
        ("mid April", "2026-04-11", "2026-04-20"),
        ("early next month", "2026-04-01", "2026-04-10"),
        ("sometime in May", "2026-05-01", "2026-05-31"),
        ("this weekend", "2026-03-07", "2026-03-08"),
        ("next weekend", "2026-03-14", "2026-03-15"),
    ],
)
def test_resolve_date_range(said: str, start: str, end: str) -> None:
    found = resolve_date(said, today=FRIDAY)
    assert found is not None
    assert (found.start, found.end) == (d(start), d(end))


@pytest.mark.parametrize("today", WEEK, ids=lambda day: f"{day:%A}")
def test_next_tuesday_from_each_weekday(today: date) -> None:
    # Every day of the week of 2-8 March shares one "next week": Tuesday is the 10th.
    found = resolve_date("next Tuesday", today=today)
    assert found is not None
    assert found.start == date(2026, 3, 10)


@pytest.mark.parametrize(
    ("today", "bare", "this"),
    [
        (date(2026, 3, 2), "2026-03-03", "2026-03-03"),
        (date(2026, 3, 3), "2026-03-10", "2026-03-03"),
        (date(2026, 3, 4), "2026-03-10", "2026-03-10"),
        (date(2026, 3, 5), "2026-03-10", "2026-03-10"),
        (date(2026, 3, 6), "2026-03-10", "2026-03-10"),
        (date(2026, 3, 7), "2026-03-10", "2026-03-10"),
        (date(2026, 3, 8), "2026-03-10", "2026-03-10"),
    ],
    ids=lambda value: f"{value:%A}" if isinstance(value, date) else value,
)
def test_bare_and_this_tuesday_from_each_weekday(today: date, bare: str, this: str) -> None:
    bare_found = resolve_date("Tuesday", today=today)
    this_found = resolve_date("this Tuesday", today=today)
    assert bare_found is not None
    assert this_found is not None
    assert bare_found.start == d(bare)
    assert this_found.start == d(this)


@pytest.mark.parametrize(
    ("said", "today", "expected"),
    [
        ("the 3rd", date(2026, 3, 20), "2026-04-03"),
        ("the 20th", date(2026, 3, 20), "2026-03-20"),
        ("the 31st", date(2026, 4, 2), "2026-05-31"),
        ("the 30th", date(2026, 1, 31), "2026-03-30"),
        ("the 5th", date(2026, 12, 20), "2027-01-05"),
        ("January 5", date(2026, 12, 20), "2027-01-05"),
        ("December 24", date(2026, 12, 20), "2026-12-24"),
        ("February 29th", date(2027, 3, 1), "2028-02-29"),
        ("in 3 days", date(2026, 12, 30), "2027-01-02"),
        ("in a month", date(2026, 1, 31), "2026-02-28"),
        ("next Monday", date(2026, 12, 30), "2027-01-04"),
    ],
)
def test_resolve_date_rolls_over(said: str, today: date, expected: str) -> None:
    found = resolve_date(said, today=today)
    assert found is not None
    assert found.start == d(expected)


def test_february_29_missing_for_years() -> None:
    # 2029 and 2030 have no 29 February; nothing is invented.
    assert resolve_date("February 29th", today=date(2029, 3, 1)) is None


def test_next_month_in_december() -> None:
    found = resolve_date("next month", today=date(2026, 12, 15))
    assert found is not None
    assert (found.start, found.end) == (date(2027, 1, 1), date(2027, 1, 31))


def test_resolve_date_reports_span() -> None:
    said = "Could I come in on the twenty-first, around ten?"
    found = resolve_date(said, today=FRIDAY)
    assert found is not None
    assert found.text == "the twenty-first"
    assert said[found.span[0] : found.span[1]] == "the twenty-first"


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("I can't make Thursday, how about Friday", "2026-03-13"),
        ("not Tuesday, Wednesday", "2026-03-11"),
        ("no, the 12th", "2026-03-12"),
        ("Thursday next week rather than Monday", "2026-03-12"),
    ],
)
def test_resolve_date_prefers_what_was_not_negated(said: str, expected: str) -> None:
    found = resolve_date(said, today=FRIDAY)
    assert found is not None
    assert found.start == d(expected)


@pytest.mark.parametrize(
    "said",
    [
        "the first available appointment",
        "that's the second one",
        "I'd like the first thing you have",
        "my 2nd visit",
        "that's all for today, thanks",
        "may I ask something",
        "I need 2 appointments",
    ],
)
def test_resolve_date_ignores_non_dates(said: str) -> None:
    assert resolve_date(said, today=FRIDAY) is None


GARBAGE = [
    "",
    "   ",
    "garbage",
    "asdf qwer zxcv",
    "99/99",
    "13/45/2026",
    "the 32nd",
    "February 30th",
    "2026-02-30",
    "0000-00-00",
    "25:99",
    ":",
    "the",
    "next",
    "in",
    "in many days",
    "\x00\x01\x02",
    "🦷🦷🦷",
    "ÅÄÖ ñ ü ß İ",
    "nine nine nine nine nine nine nine nine",
    "hundred thousand hundred",
    "oh oh oh",
    "--//::..",
]


@pytest.mark.parametrize("said", GARBAGE)
def test_garbage_resolves_to_nothing(said: str) -> None:
    assert resolve_date(said, today=FRIDAY) is None
    assert resolve_time(said) is None
    assert resolve_date_time(said, today=FRIDAY, tz="America/New_York") is None


def test_long_input_does_not_hang() -> None:
    said = "um " * 3000 + "next Tuesday at quarter past 4" + " and" * 3000
    found_date = resolve_date(said, today=FRIDAY)
    found_time = resolve_time(said)
    assert found_date is not None
    assert found_date.start == date(2026, 3, 10)
    assert found_time is not None
    assert found_time.start == time(16, 15)


# Times


@pytest.mark.parametrize(
    ("said", "expected", "assumed"),
    [
        ("9", "09:00", True),
        ("4", "16:00", True),
        ("12", "12:00", True),
        ("7", "07:00", True),
        ("6", "18:00", True),
        ("9:15", "09:15", True),
        ("nine fifteen", "09:15", True),
        ("two thirty", "14:30", True),
        ("twelve oh five", "12:05", True),
        ("quarter past 4", "16:15", True),
        ("a quarter after nine", "09:15", True),
        ("ten to five", "16:50", True),
        ("quarter to twelve in the morning", "11:45", False),
        ("quarter to one in the afternoon", "12:45", False),
        ("half past 4 in the afternoon", "16:30", False),
        ("half past four in the evening", "16:30", False),
        ("4:30 pm", "16:30", False),
        ("4:30 p.m.", "16:30", False),
        ("10 a.m.", "10:00", False),
        ("seven AM", "07:00", False),
        ("11 at night", "23:00", False),
        ("noon", "12:00", False),
        ("12 noon", "12:00", False),
        ("midday", "12:00", False),
        ("half past noon", "12:30", False),
        ("midnight", "00:00", False),
        ("12 am", "00:00", False),
        ("14:00", "14:00", False),
        ("09:45", "09:45", False),
        ("ten o'clock", "10:00", True),
        ("3 o'clock", "15:00", True),
        ("eleven o clock in the morning", "11:00", False),
        ("evening 4", "16:00", False),
        ("afternoon 2:45", "14:45", False),
        ("morning 11", "11:00", False),
        ("at 4", "16:00", True),
        ("how about 9?", "09:00", True),
        ("can we do 3:15", "15:15", True),
        ("Tuesday afternoon at 3", "15:00", False),
        ("in the morning, say at 10", "10:00", False),
        ("at one", "13:00", True),
        ("I'd like it at 1:45 in the afternoon on the 13th", "13:45", False),
    ],
)
def test_resolve_time_exact(said: str, expected: str, assumed: bool) -> None:
    found = resolve_time(said)
    assert found is not None
    assert found.start == t(expected)
    assert not found.is_window
    assert found.assumed_meridiem is assumed


@pytest.mark.parametrize(
    ("said", "start", "end"),
    [
        ("in the morning", "08:00", "12:00"),
        ("morning", "08:00", "12:00"),
        ("afternoon", "12:00", "17:00"),
        ("sometime in the afternoon", "12:00", "17:00"),
        ("evening", "17:00", "20:00"),
        ("tonight", "17:00", "20:00"),
        ("early afternoon", "12:00", "14:00"),
        ("late morning", "10:00", "12:00"),
        ("first thing", "08:00", "09:00"),
        ("first thing in the morning", "08:00", "09:00"),
        ("around lunchtime", "12:00", "13:00"),
        ("after 3", "15:00", "23:59"),
        ("anytime after 10", "10:00", "23:59"),
        ("before noon", "00:00", "12:00"),
        ("by 4:30", "00:00", "16:30"),
        ("no later than 2 pm", "00:00", "14:00"),
        ("after lunch", "13:00", "23:59"),
        ("after work", "17:00", "23:59"),
        ("between 2 and 4", "14:00", "16:00"),
        ("between 10 and 2", "10:00", "14:00"),
        ("from 8 to 10 pm", "20:00", "22:00"),
        ("between 9:30 and noon", "09:30", "12:00"),
    ],
)
def test_resolve_time_window(said: str, start: str, end: str) -> None:
    found = resolve_time(said)
    assert found is not None
    assert (found.start, found.end) == (t(start), t(end))
    assert found.is_window


@pytest.mark.parametrize(
    ("said", "expected"),
    [("around 10", "10:00"), ("at about 2:15", "14:15"), ("roughly 4 pm", "16:00")],
)
def test_resolve_time_approximate(said: str, expected: str) -> None:
    found = resolve_time(said)
    assert found is not None
    assert found.start == t(expected)
    assert found.approximate


def test_how_about_is_not_approximate() -> None:
    found = resolve_time("how about 2 pm")
    assert found is not None
    assert found.start == time(14)
    assert not found.approximate


def test_resolve_time_prefers_exact_time_over_window() -> None:
    found = resolve_time("after lunch, at 12:45")
    assert found is not None
    assert found.start == time(12, 45)
    assert not found.is_window


def test_resolve_time_prefers_what_was_not_negated() -> None:
    found = resolve_time("not at 3, at 4 please")
    assert found is not None
    assert found.start == time(16)


def test_resolve_time_reports_span() -> None:
    said = "Yes, Friday at half past nine in the morning works"
    found = resolve_time(said)
    assert found is not None
    assert said[found.span[0] : found.span[1]] == found.text
    assert found.text == "at half past nine in the morning"


@pytest.mark.parametrize(
    "said",
    [
        "in 3 days",
        "the 3rd",
        "3/14",
        "2026-03-14",
        "I need 2 appointments",
        "can you look for one",
        "that one sounds good",
        "my number is 555 123 4567",
        "room 12",
        "for 2 weeks",
        "2 to 4",
        "24:30",
        "quarter past",
    ],
)
def test_resolve_time_ignores_non_times(said: str) -> None:
    assert resolve_time(said) is None


# Date and time together


def test_resolve_date_time_exact() -> None:
    found = resolve_date_time(
        "next Tuesday at quarter past nine", today=FRIDAY, tz="America/New_York"
    )
    assert found is not None
    assert found.date is not None
    assert found.time is not None
    assert found.date.start == date(2026, 3, 10)
    assert found.time.start == time(9, 15)
    assert found.starts_at == datetime(2026, 3, 10, 13, 15, tzinfo=UTC)


def test_resolve_date_time_window_has_no_instant() -> None:
    found = resolve_date_time("tomorrow morning", today=FRIDAY, tz="America/New_York")
    assert found is not None
    assert found.date is not None
    assert found.time is not None
    assert found.date.start == date(2026, 3, 7)
    assert (found.time.start, found.time.end) == (time(8), time(12))
    assert found.starts_at is None


def test_resolve_date_time_this_afternoon() -> None:
    found = resolve_date_time("this afternoon", today=FRIDAY, tz="America/Chicago")
    assert found is not None
    assert found.date is not None
    assert found.time is not None
    assert found.date.start == FRIDAY
    assert found.time.start == time(12)


def test_resolve_date_time_time_only() -> None:
    found = resolve_date_time("at 4:30 pm", today=FRIDAY, tz="America/Denver")
    assert found is not None
    assert found.date is None
    assert found.time is not None
    assert found.time.start == time(16, 30)


def test_resolve_date_time_skipped_hour_has_no_instant() -> None:
    found = resolve_date_time("Sunday at 2:30 am", today=FRIDAY, tz="America/New_York")
    assert found is not None
    assert found.date is not None
    assert found.date.start == date(2026, 3, 8)
    assert found.starts_at is None


def test_resolve_date_time_rejects_unknown_zone() -> None:
    with pytest.raises(UnknownTimeZoneError):
        resolve_date_time("tomorrow", today=FRIDAY, tz="Mars/Olympus_Mons")


# Local time and UTC across daylight-saving changes (2026: 8 March and 1 November).

ZONES = [("America/New_York", -5, -4), ("America/Los_Angeles", -8, -7)]


@pytest.mark.parametrize(("tz", "standard", "daylight"), ZONES)
@pytest.mark.parametrize("day", range(5, 12))
def test_nine_am_through_spring_forward_week(
    tz: str, standard: int, daylight: int, day: int
) -> None:
    local_day = date(2026, 3, day)
    offset = daylight if day >= 8 else standard
    instant = local_to_utc(local_day, time(9), tz)
    assert instant == datetime(2026, 3, day, 9 - offset, tzinfo=UTC)
    assert utc_to_local(instant, tz).replace(tzinfo=None) == datetime(2026, 3, day, 9)


@pytest.mark.parametrize(("tz", "standard", "daylight"), ZONES)
@pytest.mark.parametrize("offset_days", range(7))
def test_nine_am_through_fall_back_week(
    tz: str, standard: int, daylight: int, offset_days: int
) -> None:
    local_day = date(2026, 10, 29) + timedelta(days=offset_days)
    offset = standard if local_day >= date(2026, 11, 1) else daylight
    instant = local_to_utc(local_day, time(9), tz)
    assert instant == datetime.combine(local_day, time(9 - offset), tzinfo=UTC)
    assert utc_to_local(instant, tz).replace(tzinfo=None) == datetime.combine(local_day, time(9))


@pytest.mark.parametrize("tz", ["America/New_York", "America/Los_Angeles"])
@pytest.mark.parametrize("skipped", [time(2, 0), time(2, 30), time(2, 59)])
def test_spring_forward_gap_raises(tz: str, skipped: time) -> None:
    with pytest.raises(NonexistentLocalTimeError, match="does not exist"):
        local_to_utc(date(2026, 3, 8), skipped, tz)
    assert not is_ambiguous_local_time(date(2026, 3, 8), skipped, tz)


def test_nonexistent_time_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        local_to_utc(date(2026, 3, 8), time(2, 30), "America/New_York")


@pytest.mark.parametrize(
    ("tz", "before", "after"),
    [
        ("America/New_York", datetime(2026, 3, 8, 6, 59), datetime(2026, 3, 8, 7, 0)),
        ("America/Los_Angeles", datetime(2026, 3, 8, 9, 59), datetime(2026, 3, 8, 10, 0)),
    ],
)
def test_spring_forward_edges(tz: str, before: datetime, after: datetime) -> None:
    assert local_to_utc(date(2026, 3, 8), time(1, 59), tz) == before.replace(tzinfo=UTC)
    assert local_to_utc(date(2026, 3, 8), time(3, 0), tz) == after.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "first_utc_hour"),
    [("America/New_York", 5), ("America/Los_Angeles", 8)],
)
def test_fall_back_ambiguous_time(tz: str, first_utc_hour: int) -> None:
    # 01:30 happens on daylight time first, then an hour later on standard time.
    day, wall = date(2026, 11, 1), time(1, 30)
    first = datetime(2026, 11, 1, first_utc_hour, 30, tzinfo=UTC)
    second = datetime(2026, 11, 1, first_utc_hour + 1, 30, tzinfo=UTC)
    assert is_ambiguous_local_time(day, wall, tz)
    assert local_to_utc(day, wall, tz) == first
    assert local_to_utc(day, wall, tz, fold=1) == second
    assert utc_to_local(first, tz).fold == 0
    assert utc_to_local(second, tz).fold == 1
    assert utc_to_local(second, tz).time() == wall


def test_ordinary_time_is_not_ambiguous() -> None:
    assert not is_ambiguous_local_time(date(2026, 11, 1), time(9), "America/New_York")


def test_utc_to_local_rejects_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        utc_to_local(datetime(2026, 3, 8, 12), "America/New_York")


def test_unknown_zone_raises() -> None:
    with pytest.raises(UnknownTimeZoneError, match="Unknown time zone"):
        local_to_utc(date(2026, 3, 8), time(9), "America/Springfield")


def test_clinic_today_uses_clinic_zone() -> None:
    late_evening_in_la = datetime(2026, 3, 7, 5, 0, tzinfo=UTC)
    assert clinic_today("America/Los_Angeles", now=late_evening_in_la) == date(2026, 3, 6)
    assert clinic_today("America/New_York", now=late_evening_in_la) == date(2026, 3, 7)


# Read-back wording


@pytest.mark.parametrize(
    ("value", "spoken"),
    [
        (time(9, 15), "9:15 AM"),
        (time(16), "4 PM"),
        (time(12), "noon"),
        (time(0), "midnight"),
        (time(12, 30), "12:30 PM"),
        (time(0, 45), "12:45 AM"),
    ],
)
def test_speak_time(value: time, spoken: str) -> None:
    assert speak_time(value) == spoken


def test_speak_date() -> None:
    assert speak_date(date(2026, 3, 10)) == "Tuesday, March 10"
