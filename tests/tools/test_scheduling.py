"""find_open_slots: every offered time obeys the calendar rules, across DST too."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from clinic.demo import DemoFacts
from clinic.models import (
    Appointment,
    AppointmentBlock,
    AppointmentStatus,
    Clinic,
    ProviderSchedule,
    ProviderTimeOff,
)
from tests.tools.helpers import verify
from tools.base import CallContext
from tools.registry import call_tool

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def _slots(ctx: CallContext, **search: Any) -> list[dict[str, Any]]:
    result = await call_tool(ctx, "find_open_slots", search)
    assert result.ok, result.message
    slots: list[dict[str, Any]] = result.data["slots"]
    return slots


def _interval(slot: dict[str, Any]) -> tuple[datetime, datetime]:
    start = datetime.fromisoformat(slot["start"])
    return start, start + timedelta(minutes=slot["duration_minutes"])


async def test_slots_obey_every_calendar_rule(ctx: CallContext, demo: DemoFacts) -> None:
    slots = await _slots(ctx, appointment_type="sick_visit", limit=20)
    slots += await _slots(
        ctx,
        appointment_type="follow_up",
        date_from=(demo.today + timedelta(days=18)).isoformat(),
        date_to=(demo.today + timedelta(days=25)).isoformat(),
        limit=20,
    )
    assert len(slots) == 40
    with ctx.session_factory() as session:
        clinic = session.get(Clinic, demo.clinic_id)
        assert clinic is not None
        zone = ZoneInfo(clinic.timezone)
        for slot in slots:
            start, end = _interval(slot)
            local_start, local_end = start.astimezone(zone), end.astimezone(zone)
            assert start >= demo.now + timedelta(minutes=30), slot
            assert local_start.date() != demo.closure_day, slot

            opening = clinic.hours[WEEKDAY_KEYS[local_start.weekday()]]
            assert opening is not None, slot
            assert time.fromisoformat(opening[0]) <= local_start.time(), slot
            assert local_end.time() <= time.fromisoformat(opening[1]), slot

            windows = session.scalars(
                select(ProviderSchedule).where(
                    ProviderSchedule.provider_id == slot["provider_id"],
                    ProviderSchedule.weekday == local_start.weekday(),
                )
            ).all()
            assert any(
                w.start_time <= local_start.time() and local_end.time() <= w.end_time
                for w in windows
            ), slot

            clash = session.scalar(
                select(Appointment.id).where(
                    Appointment.provider_id == slot["provider_id"],
                    Appointment.status == AppointmentStatus.BOOKED,
                    Appointment.starts_at < end,
                    Appointment.ends_at > start,
                )
            )
            assert clash is None, slot
            away = session.scalar(
                select(ProviderTimeOff.id).where(
                    ProviderTimeOff.provider_id == slot["provider_id"],
                    ProviderTimeOff.starts_at < end,
                    ProviderTimeOff.ends_at > start,
                )
            )
            assert away is None, slot


async def test_earliest_with_anyone_is_sorted(ctx: CallContext, demo: DemoFacts) -> None:
    slots = await _slots(ctx, appointment_type="sick_visit", limit=10)

    starts = [datetime.fromisoformat(s["start"]) for s in slots]
    assert starts == sorted(starts)
    assert starts[0] - demo.now < timedelta(days=1)


async def test_slot_search_across_dst_keeps_local_times(ctx: CallContext, demo: DemoFacts) -> None:
    liu = demo.provider_ids["liu"]
    with ctx.session_factory() as session, session.begin():
        # An empty calendar makes the first opening of each day the window's start.
        session.execute(delete(AppointmentBlock).where(AppointmentBlock.provider_id == liu))
        session.execute(delete(Appointment).where(Appointment.provider_id == liu))

    firsts: dict[str, dict[str, Any]] = {}
    for day in ("2026-03-03", "2026-03-05", "2026-03-08", "2026-03-10", "2026-03-12"):
        slots = await _slots(
            ctx,
            appointment_type="telehealth",
            provider="Dr. Liu",
            date_from=day,
            date_to=day,
            limit=1,
        )
        if slots:
            firsts[day] = slots[0]

    # Dr. Liu works Tuesday and Thursday afternoons; New York springs forward on March 8.
    assert sorted(firsts) == ["2026-03-03", "2026-03-05", "2026-03-10", "2026-03-12"]
    for slot in firsts.values():
        assert slot["time"] == "13:00", slot
        assert "1 PM" in slot["spoken"]
    assert firsts["2026-03-05"]["start"] == "2026-03-05T13:00-05:00"
    assert firsts["2026-03-10"]["start"] == "2026-03-10T13:00-04:00"
    utc_hours = {
        day: datetime.fromisoformat(slot["start"]).astimezone(ZoneInfo("UTC")).hour
        for day, slot in firsts.items()
    }
    assert utc_hours == {"2026-03-03": 18, "2026-03-05": 18, "2026-03-10": 17, "2026-03-12": 17}


async def test_time_of_day_window_respected(ctx: CallContext) -> None:
    mornings = await _slots(ctx, appointment_type="sick_visit", time_of_day="morning", limit=15)
    afternoons = await _slots(ctx, appointment_type="sick_visit", time_of_day="afternoon", limit=15)
    evenings = await _slots(ctx, appointment_type="follow_up", time_of_day="evening", limit=15)

    assert mornings
    assert all(s["time"] < "12:00" for s in mornings)
    assert afternoons
    assert all("12:00" <= s["time"] < "17:00" for s in afternoons)
    # Only Dr. Okafor's Thursday clinic runs past 5 PM.
    assert all(s["time"] >= "17:00" and s["provider"] == "Dr. Okafor" for s in evenings)


async def test_earliest_and_latest_times_respected(ctx: CallContext) -> None:
    slots = await _slots(
        ctx, appointment_type="sick_visit", earliest_time="10:30", latest_time="11:00", limit=10
    )

    assert slots
    assert all("10:30" <= s["time"] <= "11:00" for s in slots)


async def test_holiday_has_no_slots(ctx: CallContext, demo: DemoFacts) -> None:
    day = demo.closure_day.isoformat()

    slots = await _slots(ctx, appointment_type="sick_visit", date_from=day, date_to=day)

    assert slots == []


async def test_time_off_has_no_slots(ctx: CallContext, demo: DemoFacts) -> None:
    away = next(t for t in demo.time_off if t.provider_id == demo.provider_ids["thompson"])
    zone = ZoneInfo(demo.timezone)
    first = away.starts_at.astimezone(zone).date()
    last = (away.ends_at - timedelta(seconds=1)).astimezone(zone).date()

    slots = await _slots(
        ctx,
        appointment_type="follow_up",
        provider="Thompson",
        date_from=first.isoformat(),
        date_to=last.isoformat(),
    )

    assert slots == []


async def test_provider_without_visit_type_refused(ctx: CallContext) -> None:
    result = await call_tool(
        ctx, "find_open_slots", {"appointment_type": "well_child", "provider": "Dr. Okafor"}
    )

    assert result.error == "rule_violation"
    assert "Dr. Ramirez" in result.message


async def test_new_patient_type_refused_when_established(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)

    result = await call_tool(ctx, "find_open_slots", {"appointment_type": "new patient visit"})

    assert result.error == "rule_violation"
    assert "established" in result.message


async def test_new_patient_may_search_new_visits(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.new_patient)

    allowed = await call_tool(ctx, "find_open_slots", {"appointment_type": "new_patient"})
    refused = await call_tool(ctx, "find_open_slots", {"appointment_type": "follow_up"})

    assert allowed.ok
    assert allowed.data["slots"]
    assert refused.error == "rule_violation"


async def test_past_date_range_rejected(ctx: CallContext, demo: DemoFacts) -> None:
    last_week = (demo.today - timedelta(days=7)).isoformat()

    result = await call_tool(
        ctx,
        "find_open_slots",
        {"appointment_type": "sick_visit", "date_from": last_week, "date_to": last_week},
    )

    assert result.error == "invalid_argument"


async def test_spoken_provider_name_matched(ctx: CallContext) -> None:
    slots = await _slots(ctx, appointment_type="follow up visit", provider="doctor patell")

    assert slots
    assert {s["provider"] for s in slots} == {"Dr. Patel"}
    assert {s["appointment_type"] for s in slots} == {"follow_up"}
