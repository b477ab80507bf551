"""Booking, rescheduling, cancelling and listing: the rules and the double-booking guard."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select

from clinic.db import transaction
from clinic.demo import DemoFacts
from clinic.models import (
    Appointment,
    AppointmentBlock,
    AppointmentStatus,
    AppointmentType,
    AuditEvent,
    Patient,
    Provider,
)
from tests.tools.helpers import changed_tables, confirm, new_context, row_counts, verify
from tools.base import CallContext, SlotTaken
from tools.booking import Visit, claim
from tools.registry import call_tool


async def _first_slot(ctx: CallContext, **search: object) -> dict[str, object]:
    result = await call_tool(ctx, "find_open_slots", {"limit": 1, **search})
    assert result.ok, result.message
    assert result.data["slots"], "the demo clinic should have an open slot"
    slot: dict[str, object] = result.data["slots"][0]
    return slot


def _booking(slot: dict[str, object]) -> dict[str, object]:
    return {
        "provider_id": slot["provider_id"],
        "appointment_type": slot["appointment_type"],
        "start": slot["start"],
    }


async def test_booking_commits_appointment_and_blocks(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    slot = await _first_slot(ctx, appointment_type="follow_up", provider="Dr. Patel")

    result = await confirm(ctx, "book_appointment", _booking(slot))

    assert result.ok, result.message
    assert "Dr. Patel" in result.message
    with ctx.session_factory() as session:
        appointment = session.get(Appointment, result.data["appointment_id"])
        assert appointment is not None
        assert appointment.status == AppointmentStatus.BOOKED
        assert appointment.patient_id == demo.established_patient.id
        assert appointment.booked_from_call_id == ctx.call_id
        blocks = session.scalar(
            select(func.count())
            .select_from(AppointmentBlock)
            .where(AppointmentBlock.appointment_id == appointment.id)
        )
        assert blocks == 20 // 5
        audit = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "create", AuditEvent.resource_id == appointment.id
            )
        ).one()
        assert audit.patient_id == demo.established_patient.id
        assert audit.tool_name == "book_appointment"


async def test_read_back_states_time_provider_and_visit(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    slot = await _first_slot(ctx, appointment_type="follow_up", provider="Patel")

    result = await call_tool(ctx, "book_appointment", _booking(slot))

    assert result.needs_confirmation
    assert str(slot["spoken"]) in result.message
    assert "20-minute follow-up visit" in result.message
    assert result.message.endswith("Shall I book it?")


async def test_booking_outside_hours_rejected(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    before = row_counts(ctx.session_factory)
    cases = [
        "2026-03-10T18:00",  # Tuesday evening, after the clinic closes
        "2026-03-10T07:00",  # before it opens
        "2026-03-08T10:00",  # Sunday, closed all day
        "2026-03-10T12:30",  # Dr. Patel's lunch break
        "2026-03-10T16:50",  # a 20-minute visit would run past 5 PM
    ]
    for start in cases:
        result = await call_tool(
            ctx,
            "book_appointment",
            {
                "provider_id": demo.provider_ids["patel"],
                "appointment_type": "follow_up",
                "start": start,
            },
        )
        assert not result.ok, start
        assert result.error == "rule_violation", (start, result.message)
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": len(cases)}


async def test_booking_on_holiday_rejected(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    start = f"{demo.closure_day.isoformat()}T10:00"

    result = await call_tool(
        ctx,
        "book_appointment",
        {
            "provider_id": demo.provider_ids["patel"],
            "appointment_type": "follow_up",
            "start": start,
        },
    )

    assert result.error == "rule_violation"
    assert "closed" in result.message


async def test_booking_in_past_rejected(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    before = row_counts(ctx.session_factory)
    yesterday = demo.today - timedelta(days=1)
    for start in (f"{yesterday.isoformat()}T10:00", f"{demo.today.isoformat()}T09:15"):
        result = await call_tool(
            ctx,
            "book_appointment",
            {
                "provider_id": demo.provider_ids["patel"],
                "appointment_type": "follow_up",
                "start": start,
            },
        )
        assert result.error == "rule_violation", start
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 2}


async def test_booking_over_appointment_rejected(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.same_name_patients[1])
    taken = demo.upcoming_appointment
    zone = ZoneInfo(demo.timezone)
    before = row_counts(ctx.session_factory)
    for offset in (0, 10):
        start = (taken.starts_at + timedelta(minutes=offset)).astimezone(zone)
        result = await call_tool(
            ctx,
            "book_appointment",
            {
                "provider_id": taken.provider_id,
                "appointment_type": "sick_visit",
                "start": start.strftime("%Y-%m-%dT%H:%M"),
            },
        )
        assert result.error == "slot_taken", (offset, result.message)
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 2}


async def test_new_patient_visit_refused_for_established(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    slot = await _first_slot(new_context(ctx), appointment_type="new_patient", provider="Patel")

    result = await call_tool(ctx, "book_appointment", _booking(slot))

    assert result.error == "rule_violation"
    assert "established patient" in result.message


async def test_follow_up_refused_for_new_patient(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.new_patient)
    slot = await _first_slot(new_context(ctx), appointment_type="follow_up", provider="Patel")

    result = await call_tool(ctx, "book_appointment", _booking(slot))

    assert result.error == "rule_violation"
    assert "new patient visit" in result.message


async def test_booking_off_five_minute_mark_invalid(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)

    result = await call_tool(
        ctx,
        "book_appointment",
        {
            "provider_id": demo.provider_ids["patel"],
            "appointment_type": "follow_up",
            "start": "2026-03-10T10:07",
        },
    )

    assert result.error == "invalid_argument"


async def test_confirmed_without_read_back_refused(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    slot = await _first_slot(ctx, appointment_type="follow_up", provider="Patel")
    ctx.caller_confirmed = True
    before = row_counts(ctx.session_factory)

    result = await call_tool(ctx, "book_appointment", {**_booking(slot), "confirmed": True})

    assert result.error == "confirmation_required"
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 1}


async def test_confirmed_without_caller_yes_refused(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    slot = await _first_slot(ctx, appointment_type="follow_up", provider="Patel")
    await call_tool(ctx, "book_appointment", _booking(slot))
    before = row_counts(ctx.session_factory)

    result = await call_tool(ctx, "book_appointment", {**_booking(slot), "confirmed": True})

    assert result.error == "confirmation_required"
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 1}


async def test_confirmed_other_time_than_read_back_refused(
    ctx: CallContext, demo: DemoFacts
) -> None:
    verify(ctx, demo.established_patient)
    search = await call_tool(
        ctx, "find_open_slots", {"appointment_type": "follow_up", "provider": "Patel", "limit": 2}
    )
    first, second = search.data["slots"]
    await call_tool(ctx, "book_appointment", _booking(first))
    ctx.caller_confirmed = True

    result = await call_tool(ctx, "book_appointment", {**_booking(second), "confirmed": True})

    assert result.error == "confirmation_required"


async def test_one_yes_commits_once(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    search = await call_tool(
        ctx, "find_open_slots", {"appointment_type": "follow_up", "provider": "Patel", "limit": 2}
    )
    first, second = search.data["slots"]
    booked = await confirm(ctx, "book_appointment", _booking(first))
    assert booked.ok

    again = await call_tool(ctx, "book_appointment", {**_booking(second), "confirmed": True})

    assert again.error == "confirmation_required"
    assert ctx.caller_confirmed is False
    assert ctx.pending_confirmations == {}


async def _twenty_patients(ctx: CallContext, exclude: set[int]) -> list[int]:
    with ctx.session_factory() as session:
        ids = session.scalars(
            select(Patient.id).where(Patient.id.not_in(exclude)).order_by(Patient.id).limit(40)
        ).all()
    return list(ids)[:20]


async def test_concurrent_bookings_of_one_slot_book_once(ctx: CallContext, demo: DemoFacts) -> None:
    # A sick visit is open to new and established patients, so any 20 charts can race.
    slot = await _first_slot(ctx, appointment_type="sick_visit", provider="Okafor")
    patients = await _twenty_patients(ctx, exclude=set())
    contexts = [new_context(ctx, verified=patient_id) for patient_id in patients]
    for racer in contexts:
        proposal = await call_tool(racer, "book_appointment", _booking(slot))
        assert proposal.needs_confirmation, proposal.message
        racer.caller_confirmed = True

    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=20))
    results = await asyncio.gather(
        *(
            call_tool(racer, "book_appointment", {**_booking(slot), "confirmed": True})
            for racer in contexts
        )
    )

    assert sum(result.ok for result in results) == 1
    assert {result.error for result in results if not result.ok} == {"slot_taken"}
    with ctx.session_factory() as session:
        booked = session.scalars(
            select(Appointment).where(
                Appointment.provider_id == slot["provider_id"],
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.created_at == demo.now,
            )
        ).all()
        assert len(booked) == 1
        blocks = session.scalar(
            select(func.count())
            .select_from(AppointmentBlock)
            .where(AppointmentBlock.appointment_id == booked[0].id)
        )
        assert blocks == 15 // 5


async def test_reschedule_moves_blocks_atomically(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    old = demo.upcoming_appointment
    slot = await _first_slot(
        ctx,
        appointment_type="follow_up",
        provider="Patel",
        date_from=(demo.today + timedelta(days=14)).isoformat(),
    )

    result = await confirm(
        ctx, "reschedule_appointment", {"appointment_id": old.id, "new_start": slot["start"]}
    )

    assert result.ok, result.message
    with ctx.session_factory() as session:
        previous = session.get(Appointment, old.id)
        assert previous is not None
        assert previous.status == AppointmentStatus.RESCHEDULED
        new = session.get(Appointment, result.data["appointment_id"])
        assert new is not None
        assert new.rescheduled_from_id == old.id
        assert new.status == AppointmentStatus.BOOKED
        old_blocks = session.scalar(
            select(func.count())
            .select_from(AppointmentBlock)
            .where(AppointmentBlock.appointment_id == old.id)
        )
        assert old_blocks == 0
        new_blocks = session.scalar(
            select(func.count())
            .select_from(AppointmentBlock)
            .where(AppointmentBlock.appointment_id == new.id)
        )
        assert new_blocks == 4


async def test_reschedule_within_own_time_allowed(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    old = demo.upcoming_appointment
    later = old.starts_at + timedelta(minutes=10)
    with ctx.session_factory() as session, session.begin():
        # Free the provider's next visit so only the moved visit's own blocks are in the way.
        following = select(Appointment.id).where(
            Appointment.provider_id == old.provider_id,
            Appointment.id != old.id,
            Appointment.starts_at < later + timedelta(minutes=20),
            Appointment.ends_at > later,
        )
        session.execute(
            delete(AppointmentBlock).where(AppointmentBlock.appointment_id.in_(following))
        )
        session.execute(delete(Appointment).where(Appointment.id.in_(following)))
    local = later.astimezone(ZoneInfo(demo.timezone)).strftime("%Y-%m-%dT%H:%M")

    # The new visit overlaps the old one's blocks, which the move frees in the same transaction.
    result = await confirm(
        ctx, "reschedule_appointment", {"appointment_id": old.id, "new_start": local}
    )

    assert result.ok, result.message
    with ctx.session_factory() as session:
        starts = session.scalars(
            select(AppointmentBlock.block_start)
            .where(AppointmentBlock.appointment_id == result.data["appointment_id"])
            .order_by(AppointmentBlock.block_start)
        ).all()
    assert starts[0] == later
    assert len(starts) == 4


async def test_reschedule_to_taken_slot_keeps_old(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.same_name_patients[0])
    own = await call_tool(ctx, "list_upcoming_appointments", {})
    appointment = own.data["appointments"][0]
    taken = demo.upcoming_appointment.starts_at.astimezone(ZoneInfo(demo.timezone))
    before = row_counts(ctx.session_factory)

    result = await call_tool(
        ctx,
        "reschedule_appointment",
        {
            "appointment_id": appointment["appointment_id"],
            "new_start": taken.strftime("%Y-%m-%dT%H:%M"),
            "provider_id": demo.upcoming_appointment.provider_id,
        },
    )

    assert not result.ok
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 1}
    with ctx.session_factory() as session:
        kept = session.get(Appointment, appointment["appointment_id"])
        assert kept is not None
        assert kept.status == AppointmentStatus.BOOKED


async def test_cancel_inside_window_states_policy(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.look_alike_patients[0])
    late = demo.late_cancel_appointment

    read_back = await call_tool(ctx, "cancel_appointment", {"appointment_id": late.id})
    assert "late cancellation" in read_back.message
    assert "$50" in read_back.message
    ctx.caller_confirmed = True
    result = await call_tool(
        ctx, "cancel_appointment", {"appointment_id": late.id, "confirmed": True}
    )

    assert result.ok
    assert result.data["late_cancellation"] is True
    assert "late cancellation" in result.message
    with ctx.session_factory() as session:
        cancelled = session.get(Appointment, late.id)
        assert cancelled is not None
        assert cancelled.status == AppointmentStatus.CANCELLED
        assert cancelled.late_cancellation is True
        assert cancelled.cancelled_at == demo.now
        blocks = session.scalar(
            select(func.count())
            .select_from(AppointmentBlock)
            .where(AppointmentBlock.appointment_id == late.id)
        )
        assert blocks == 0


async def test_cancel_outside_window_not_late(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)

    result = await confirm(
        ctx, "cancel_appointment", {"appointment_id": demo.upcoming_appointment.id}
    )

    assert result.ok
    assert result.data["late_cancellation"] is False
    assert "late" not in result.message


async def test_cancel_other_patients_visit_not_found(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.uninsured_patient)
    before = row_counts(ctx.session_factory)

    result = await call_tool(
        ctx, "cancel_appointment", {"appointment_id": demo.upcoming_appointment.id}
    )

    assert result.error == "not_found"
    assert "Chen" not in result.message
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 1}


async def test_list_upcoming_returns_own_visits(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)

    result = await call_tool(ctx, "list_upcoming_appointments", {})

    assert result.ok
    ids = [a["appointment_id"] for a in result.data["appointments"]]
    assert demo.upcoming_appointment.id in ids
    with ctx.session_factory() as session:
        owners = {session.get(Appointment, i).patient_id for i in ids}  # type: ignore[union-attr]
    assert owners == {demo.established_patient.id}
    assert "9:15 AM" in result.message


def test_block_key_rejects_overlap_without_checks(ctx: CallContext, demo: DemoFacts) -> None:
    # Two racing bookings both pass the checks; the primary key alone must stop the second.
    taken = demo.upcoming_appointment
    before = row_counts(ctx.session_factory)

    with pytest.raises(SlotTaken), transaction(ctx.session_factory) as session:
        patient = session.get(Patient, demo.uninsured_patient.id)
        provider = session.get(Provider, taken.provider_id)
        kind = session.scalars(
            select(AppointmentType).where(AppointmentType.code == "sick_visit")
        ).one()
        assert patient is not None
        assert provider is not None
        start = taken.starts_at + timedelta(minutes=5)
        claim(session, ctx, Visit(patient, provider, kind, start), reason=None)

    assert changed_tables(before, row_counts(ctx.session_factory)) == {}
