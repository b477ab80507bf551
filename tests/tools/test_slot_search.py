"""find_open_slots: narrow searches agree with whole-day ones; a patient's search is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from clinic.demo import DemoFacts
from clinic.models import AuditEvent
from tests.tools.helpers import changed_tables, new_context, row_counts, verify
from tools.base import CallContext
from tools.registry import call_tool


async def _slots(ctx: CallContext, **search: Any) -> list[dict[str, Any]]:
    result = await call_tool(ctx, "find_open_slots", search)
    assert result.ok, result.message
    slots: list[dict[str, Any]] = result.data["slots"]
    return slots


# Narrower searches read only the visits around the requested times. Windows that start on
# a quarter hour must offer exactly the whole day's times that fall inside them.
WINDOWS = [
    pytest.param({"earliest_time": "08:45", "latest_time": "11:45"}, id="morning hours"),
    pytest.param({"earliest_time": "17:45"}, id="from 17:45"),
    pytest.param({"earliest_time": "18:30", "latest_time": "18:30"}, id="exactly 18:30"),
    pytest.param({"earliest_time": "12:00", "latest_time": "17:00"}, id="booked afternoon"),
    pytest.param({"time_of_day": "evening"}, id="evening"),
    pytest.param({"time_of_day": "morning", "latest_time": "09:00"}, id="early morning"),
]


@pytest.mark.parametrize("window", WINDOWS)
async def test_narrow_search_matches_whole_day(
    ctx: CallContext, demo: DemoFacts, window: dict[str, str]
) -> None:
    # Dr. Okafor works a long Thursday, partly booked: a handful of times, all in one result.
    thursday = (demo.today + timedelta(days=3)).isoformat()
    search = {
        "appointment_type": "follow_up",
        "provider": "Okafor",
        "date_from": thursday,
        "date_to": thursday,
        "limit": 20,
    }
    whole_day = await _slots(ctx, **search)
    assert 0 < len(whole_day) < 20

    narrow = await _slots(ctx, **search, **window)

    earliest = window.get("earliest_time", "00:00")
    latest = window.get("latest_time", "23:59")
    if window.get("time_of_day") == "evening":
        earliest = max(earliest, "17:00")
    if window.get("time_of_day") == "morning":
        latest = min(latest, "11:59")
    assert narrow == [slot for slot in whole_day if earliest <= slot["time"] <= latest]


async def test_verified_search_audited_once(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)

    slots = await _slots(ctx, appointment_type="follow_up")

    assert slots
    with ctx.session_factory() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.tool_name == "find_open_slots")
        ).all()
    assert len(events) == 1
    assert events[0].patient_id == demo.established_patient.id
    assert events[0].call_id == ctx.call_id
    assert events[0].action == "read"
    assert events[0].resource == "appointment"
    assert events[0].detail == {"appointment_type": "follow_up"}


async def test_unverified_search_writes_nothing(ctx: CallContext) -> None:
    unrecorded = new_context(ctx)
    before = row_counts(ctx.session_factory)

    slots = await _slots(unrecorded, appointment_type="follow_up")

    assert slots
    assert changed_tables(before, row_counts(ctx.session_factory)) == {}
