"""``clinic_information``: hours, address, parking, phone, fax, portal and holidays.

Every fact comes from the clinic's row and its holidays. A fact that is not configured is
reported as unknown, never made up.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import Field
from sqlalchemy.orm import Session

from clinic.models import Clinic
from tools.availability import ClinicCalendar, load_calendar
from tools.base import CallContext, ToolResult
from tools.common import OptionalIsoDate, ToolArguments, load_clinic, run_in_transaction
from tools.speech import spoken_date, spoken_list, spoken_phone, spoken_time, spoken_time_range

NAME = "clinic_information"
HOLIDAY_HORIZON_DAYS = 60
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Topic = Literal["hours", "address", "parking", "phone", "fax", "portal", "nurse_line", "holidays"]

DESCRIPTION = (
    "Look up facts about the clinic: opening hours (and whether it is open now or on a given "
    "date), address, parking, main phone, fax, patient portal, nurse line and upcoming "
    "holiday closures. Needs no verification. Say only what it returns; if it says a fact "
    "is not on file, offer to take a message instead of guessing."
)


class ClinicInformationArguments(ToolArguments):
    topic: Topic = Field(description="Which fact the caller asked about.")
    date: OptionalIsoDate = Field(
        default=None,
        description="For topic=hours: a day the caller asked about ('are you open on "
        "Monday?'), as YYYY-MM-DD in the clinic's time zone.",
    )


async def clinic_information(ctx: CallContext, args: ClinicInformationArguments) -> ToolResult:
    """Return one fact about the clinic, as configured."""
    return await run_in_transaction(ctx, lambda session: _information(session, ctx, args))


def _information(
    session: Session, ctx: CallContext, args: ClinicInformationArguments
) -> ToolResult:
    clinic = load_clinic(session, ctx)
    calendar = load_calendar(session, clinic)
    if args.topic == "hours":
        return _hours(ctx, calendar, args.date)
    if args.topic == "holidays":
        return _holidays(ctx, calendar)
    return _simple_fact(clinic, args.topic)


def _simple_fact(clinic: Clinic, topic: Topic) -> ToolResult:
    value: str | None
    if topic == "address":
        value = clinic.address
        message = f"We're at {value}."
    elif topic == "parking":
        value = clinic.parking
        message = value or ""
    elif topic == "phone":
        value = clinic.phone
        message = f"Our main number is {spoken_phone(value)}."
    elif topic == "fax":
        value = clinic.fax
        message = f"Our fax number is {spoken_phone(value)}." if value else ""
    elif topic == "portal":
        value = clinic.portal_url
        message = f"You can use our patient portal at {value}." if value else ""
    else:
        value = clinic.nurse_line
        message = f"Our nurse line is {spoken_phone(value)}." if value else ""
    if not value:
        return ToolResult(
            ok=True,
            message="I'm sorry, I don't have that information. I can take a message for the "
            "front desk if you'd like.",
            data={"topic": topic, "available": False},
        )
    return ToolResult(ok=True, message=message, data={"topic": topic, "value": value})


def weekly_hours_text(calendar: ClinicCalendar) -> str:
    """Speak the weekly hours, grouping days with the same hours: "Monday to Wednesday, ..."."""
    groups: list[tuple[int, int, tuple[time, time]]] = []
    for weekday in range(7):
        window = calendar.hours.get(weekday)
        if window is None:
            continue
        if groups and groups[-1][2] == window and groups[-1][1] == weekday - 1:
            groups[-1] = (groups[-1][0], weekday, window)
        else:
            groups.append((weekday, weekday, window))
    if not groups:
        return "I don't have our opening hours on file."
    parts = []
    for first, last, (opens, closes) in groups:
        days = _DAY_NAMES[first]
        if last == first + 1:
            days = f"{_DAY_NAMES[first]} and {_DAY_NAMES[last]}"
        elif last > first:
            days = f"{_DAY_NAMES[first]} to {_DAY_NAMES[last]}"
        parts.append(f"{days} from {spoken_time_range(opens, closes)}")
    closed = [_DAY_NAMES[d] for d in range(7) if d not in calendar.hours]
    text = f"We're open {spoken_list(parts)}."
    if closed:
        text += f" We're closed on {spoken_list(closed)}."
    return text


def _hours(ctx: CallContext, calendar: ClinicCalendar, day: date | None) -> ToolResult:
    now = ctx.now()
    hours = {
        _DAY_NAMES[d].lower(): [opens.strftime("%H:%M"), closes.strftime("%H:%M")]
        for d, (opens, closes) in calendar.hours.items()
    }
    data: dict[str, object] = {"hours": hours, "open_now": calendar.is_open(now)}
    if day is not None:
        return ToolResult(ok=True, message=_day_hours(calendar, day), data=data)
    message = weekly_hours_text(calendar) + " " + _now_text(calendar, now)
    return ToolResult(ok=True, message=message, data=data)


def _day_hours(calendar: ClinicCalendar, day: date) -> str:
    if day in calendar.holidays:
        return f"We're closed on {spoken_date(day)} for {calendar.holidays[day]}."
    window = calendar.hours.get(day.weekday())
    if window is None:
        return f"We're closed on {spoken_date(day)}."
    return f"On {spoken_date(day)} we're open {spoken_time_range(*window)}."


def _now_text(calendar: ClinicCalendar, now: datetime) -> str:
    local = calendar.local(now)
    if calendar.is_open(now):
        closes = calendar.hours[local.weekday()][1]
        return f"We're open now until {spoken_time(closes)}."
    opening = calendar.next_opening(now)
    if opening is None:
        return "We're closed right now."
    when = "today" if opening.date() == local.date() else _relative_day(local.date(), opening)
    return f"We're closed right now and open again {when} at {spoken_time(opening)}."


def _relative_day(today: date, opening: datetime) -> str:
    if opening.date() == today + timedelta(days=1):
        return "tomorrow"
    return f"on {spoken_date(opening.date())}"


def _holidays(ctx: CallContext, calendar: ClinicCalendar) -> ToolResult:
    today = calendar.local(ctx.now()).date()
    horizon = today + timedelta(days=HOLIDAY_HORIZON_DAYS)
    upcoming = sorted((d, n) for d, n in calendar.holidays.items() if today <= d <= horizon)
    data = {"holidays": [{"date": d.isoformat(), "name": n} for d, n in upcoming]}
    if not upcoming:
        return ToolResult(
            ok=True,
            message="We have no holiday closures in the next two months.",
            data=data,
        )
    spoken = spoken_list([f"{spoken_date(d)} for {name}" for d, name in upcoming])
    return ToolResult(ok=True, message=f"We'll be closed on {spoken}.", data=data)
