"""Calls for one patient at the same moment: one visit moved, two visits, one refill.

Run on SQLite and PostgreSQL. SQLite serialises every writer with ``BEGIN IMMEDIATE``, but
PostgreSQL runs the transactions side by side, which is where a check alone is not enough.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select

from clinic.demo import DemoFacts
from clinic.models import Appointment, AppointmentStatus, RefillRequest
from tests.tools.helpers import new_context
from tools.base import CallContext
from tools.registry import call_tool

RACERS = 8


async def _slots(ctx: CallContext, count: int, **search: object) -> list[dict[str, Any]]:
    result = await call_tool(ctx, "find_open_slots", {"limit": count, **search})
    assert result.ok, result.message
    slots: list[dict[str, Any]] = result.data["slots"]
    assert len(slots) == count
    return slots


async def _race(calls: list[Any]) -> list[Any]:
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=len(calls)))
    return list(await asyncio.gather(*calls))


async def test_one_visit_moved_once(ctx: CallContext, demo: DemoFacts) -> None:
    patient, visit = demo.established_patient, demo.upcoming_appointment
    racers = [new_context(ctx, verified=patient) for _ in range(RACERS)]
    slots = await _slots(racers[0], RACERS, appointment_type="follow_up", provider="Dr. Patel")
    moves = [
        {"appointment_id": visit.id, "new_start": slot["start"], "provider_id": slot["provider_id"]}
        for slot in slots
    ]
    for racer, move in zip(racers, moves, strict=True):
        proposal = await call_tool(racer, "reschedule_appointment", move)
        assert proposal.needs_confirmation, proposal.message
        racer.caller_confirmed = True

    results = await _race(
        [
            call_tool(racer, "reschedule_appointment", move | {"confirmed": True})
            for racer, move in zip(racers, moves, strict=True)
        ]
    )

    assert sum(result.ok for result in results) == 1
    with ctx.session_factory() as session:
        moved = session.scalars(
            select(Appointment).where(
                Appointment.rescheduled_from_id == visit.id,
                Appointment.status == AppointmentStatus.BOOKED,
            )
        ).all()
    assert len(moved) == 1


async def test_patient_booked_once_per_time(ctx: CallContext, demo: DemoFacts) -> None:
    patient = demo.uninsured_patient
    racers = [new_context(ctx, verified=patient) for _ in range(2)]
    first = await _slots(racers[0], 1, appointment_type="sick_visit", provider="Dr. Patel")
    second = await _slots(
        racers[1],
        1,
        appointment_type="sick_visit",
        provider="Dr. Okafor",
        date_from=first[0]["date"],
        date_to=first[0]["date"],
        earliest_time=first[0]["time"],
        latest_time=first[0]["time"],
    )
    bookings = [
        {"provider_id": s["provider_id"], "appointment_type": "sick_visit", "start": s["start"]}
        for s in (first[0], second[0])
    ]
    for racer, booking in zip(racers, bookings, strict=True):
        proposal = await call_tool(racer, "book_appointment", booking)
        assert proposal.needs_confirmation, proposal.message
        racer.caller_confirmed = True

    results = await _race(
        [
            call_tool(racer, "book_appointment", booking | {"confirmed": True})
            for racer, booking in zip(racers, bookings, strict=True)
        ]
    )

    assert sum(result.ok for result in results) == 1


async def test_same_refill_filed_once(ctx: CallContext, demo: DemoFacts) -> None:
    racers = [new_context(ctx, verified=demo.established_patient) for _ in range(RACERS)]
    request = {"medication": "lisinopril"}
    for racer in racers:
        proposal = await call_tool(racer, "request_refill", request)
        assert proposal.needs_confirmation, proposal.message
        racer.caller_confirmed = True

    results = await _race(
        [call_tool(racer, "request_refill", request | {"confirmed": True}) for racer in racers]
    )

    assert all(result.ok for result in results)
    assert sum(bool(result.data.get("duplicate")) for result in results) == RACERS - 1
    with ctx.session_factory() as session:
        filed = session.scalars(
            select(RefillRequest).where(RefillRequest.patient_id == demo.established_patient.id)
        ).all()
    assert len(filed) == 1
