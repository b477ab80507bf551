"""Hostile tool calls: guessing identities, sneaking commits past the read-back, odd input.

Each test drives :func:`tools.registry.call_tool` the way a confused or prompt-injected
brain could, and checks that the rule holds in the tools themselves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from clinic.calls import add_turn
from clinic.db import transaction
from clinic.demo import DemoFacts, DemoPatient
from clinic.models import (
    Appointment,
    AppointmentBlock,
    AppointmentType,
    Patient,
    Provider,
    TranscriptTurn,
    provider_appointment_type,
)
from tests.tools.helpers import changed_tables, row_counts, verify
from tools.base import CallContext
from tools.booking import Visit, claim
from tools.registration import MAX_REGISTRATION_CHECKS
from tools.registry import call_tool


def _identity(patient: DemoPatient, born: date | None = None) -> dict[str, str]:
    return {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": (born or patient.date_of_birth).isoformat(),
    }


def _wrong_birth_dates(patient: DemoPatient, count: int) -> list[date]:
    return [patient.date_of_birth + timedelta(days=offset) for offset in range(1, count + 1)]


async def _open_slot(ctx: CallContext) -> dict[str, object]:
    result = await call_tool(
        ctx, "find_open_slots", {"appointment_type": "follow_up", "provider": "Dr. Patel"}
    )
    assert result.ok, result.message
    slot: dict[str, object] = result.data["slots"][0]
    return slot


def _booking(slot: dict[str, object], **changes: object) -> dict[str, object]:
    return {
        "provider_id": slot["provider_id"],
        "appointment_type": slot["appointment_type"],
        "start": slot["start"],
    } | changes


def _agent_bookings(ctx: CallContext) -> int:
    with ctx.session_factory() as session:
        count = session.scalar(
            select(func.count()).select_from(Appointment).where(Appointment.booked_by == "agent")
        )
    return int(count or 0)


# --- guessing another patient's date of birth ---------------------------------------------


async def test_own_identity_does_not_reset_guesses(ctx: CallContext, demo: DemoFacts) -> None:
    caller, target = demo.established_patient, demo.same_name_patients[0]
    wrong = _wrong_birth_dates(target, 2)

    first_guess = await call_tool(ctx, "verify_patient", _identity(target, wrong[0]))
    own = await call_tool(ctx, "verify_patient", _identity(caller))
    second_guess = await call_tool(ctx, "verify_patient", _identity(target, wrong[1]))
    right_guess = await call_tool(ctx, "verify_patient", _identity(target))

    assert not first_guess.ok
    assert own.ok
    assert second_guess.escalate
    assert not right_guess.ok
    assert right_guess.escalate
    assert ctx.verified_patient_id == caller.id


async def test_registration_after_failed_verification(ctx: CallContext, demo: DemoFacts) -> None:
    target = demo.same_name_patients[0]
    for born in _wrong_birth_dates(target, 2):
        await call_tool(ctx, "verify_patient", _identity(target, born))
    before = row_counts(ctx.session_factory)

    probe = await call_tool(
        ctx, "register_new_patient", _identity(target) | {"phone": "802-555-0100"}
    )

    assert not probe.ok
    assert probe.escalate
    assert "already" not in probe.message
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 1}


async def test_registration_probes_are_rationed(ctx: CallContext, demo: DemoFacts) -> None:
    target = demo.same_name_patients[0]
    guesses = _wrong_birth_dates(target, MAX_REGISTRATION_CHECKS)
    phone = {"phone": "802-555-0100"}

    misses = [
        await call_tool(ctx, "register_new_patient", _identity(target, born) | phone)
        for born in guesses
    ]
    hit = await call_tool(ctx, "register_new_patient", _identity(target) | phone)

    assert all(miss.needs_confirmation for miss in misses)
    assert not hit.ok
    assert hit.escalate
    assert "already" not in hit.message


async def test_registration_read_back_repeats_freely(ctx: CallContext, demo: DemoFacts) -> None:
    details = {
        "first_name": "Rosa",
        "last_name": "Delgado",
        "date_of_birth": "1990-05-17",
        "phone": "802-555-0100",
    }
    for _ in range(MAX_REGISTRATION_CHECKS + 1):
        proposal = await call_tool(ctx, "register_new_patient", details)
        assert proposal.needs_confirmation, proposal.message

    ctx.caller_confirmed = True
    done = await call_tool(ctx, "register_new_patient", details | {"confirmed": True})

    assert done.ok, done.message


# --- commits without a yes to that very read-back -------------------------------------------


async def test_yes_before_read_back_commits_nothing(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.uninsured_patient)
    slot = await _open_slot(ctx)
    # The caller said yes to an earlier read-back in this turn; the brain then proposes
    # something new and commits it before the caller has heard it.
    ctx.caller_confirmed = True

    proposal = await call_tool(ctx, "book_appointment", _booking(slot))
    commit = await call_tool(ctx, "book_appointment", _booking(slot, confirmed=True))

    assert proposal.needs_confirmation
    assert not commit.ok
    assert commit.error == "confirmation_required"
    assert _agent_bookings(ctx) == 0


async def test_yes_answers_latest_read_back(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    slot = await _open_slot(ctx)
    booking = await call_tool(ctx, "book_appointment", _booking(slot))
    refill = await call_tool(ctx, "request_refill", {"medication": "lisinopril"})
    ctx.caller_confirmed = True  # the yes answers the refill read-back, heard last

    stale = await call_tool(ctx, "book_appointment", _booking(slot, confirmed=True))

    assert booking.needs_confirmation
    assert refill.needs_confirmation
    assert stale.error == "confirmation_required"
    assert _agent_bookings(ctx) == 0


# --- the double-booking guard -----------------------------------------------------------------


async def test_odd_utc_offset_rejected(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.uninsured_patient)
    slot = await _open_slot(ctx)
    start = datetime.fromisoformat(str(slot["start"])).astimezone(UTC)
    # 5 minutes past the slot, written with a 3-minute offset: 2 minutes off the grid.
    odd = (start + timedelta(minutes=5)).replace(tzinfo=None).isoformat(timespec="minutes")

    result = await call_tool(ctx, "book_appointment", _booking(slot, start=odd + "+00:03"))

    assert result.error == "invalid_argument"
    assert "5-minute" in result.message
    assert ctx.pending_confirmations == {}


def test_blocks_cover_visit_length_rounded_up(ctx: CallContext, demo: DemoFacts) -> None:
    taken = demo.upcoming_appointment
    with transaction(ctx.session_factory) as session:
        kind = AppointmentType(
            code="long_consult",
            name="Long consultation",
            duration_minutes=22,
            for_new_patients=True,
            for_established_patients=True,
        )
        session.add(kind)
        session.flush()
        session.execute(
            provider_appointment_type.insert().values(
                provider_id=taken.provider_id, appointment_type_id=kind.id
            )
        )
        patient = session.get(Patient, demo.uninsured_patient.id)
        provider = session.get(Provider, taken.provider_id)
        assert patient is not None
        assert provider is not None
        # claim() checks no hours, so an evening start is free whatever the seed booked.
        start = taken.starts_at + timedelta(hours=12)
        appointment = claim(session, ctx, Visit(patient, provider, kind, start), reason=None)
        blocks = session.scalar(
            select(func.count())
            .select_from(AppointmentBlock)
            .where(AppointmentBlock.appointment_id == appointment.id)
        )

    assert blocks == 5


# --- text a database cannot store, and errors that would quote patient data -----------------


async def test_nul_in_registration_name_dropped(ctx: CallContext, demo: DemoFacts) -> None:
    details = {
        "first_name": "Ro\x00sa",
        "last_name": "Delgado",
        "date_of_birth": "1990-05-17",
        "phone": "802-555-0100",
    }

    proposal = await call_tool(ctx, "register_new_patient", details)
    ctx.caller_confirmed = True
    done = await call_tool(ctx, "register_new_patient", details | {"confirmed": True})

    assert "Rosa Delgado" in proposal.message
    assert done.ok, done.message
    with ctx.session_factory() as session:
        patient = session.get(Patient, done.data["patient_id"])
        assert patient is not None
        assert patient.first_name == "Rosa"


async def test_nul_only_name_is_empty(ctx: CallContext, demo: DemoFacts) -> None:
    result = await call_tool(
        ctx,
        "verify_patient",
        {"first_name": "\x00", "last_name": "Chen", "date_of_birth": "1958-04-12"},
    )

    assert result.error == "invalid_argument"
    assert "first_name is empty" in result.message


def test_nul_in_transcript_turn_dropped(ctx: CallContext, demo: DemoFacts) -> None:
    assert ctx.call_id is not None

    turn_id = add_turn(
        ctx.session_factory,
        call_id=ctx.call_id,
        speaker="caller",
        text="I need a refill\x00 please",
        at=demo.now,
    )

    with ctx.session_factory() as session:
        turn = session.get(TranscriptTurn, turn_id)
        assert turn is not None
        assert turn.text == "I need a refill please"


def test_database_error_hides_parameters(ctx: CallContext, demo: DemoFacts) -> None:
    assert ctx.call_id is not None
    secret = "Margaret Chen 1958-04-12 lisinopril"
    add_turn(ctx.session_factory, call_id=ctx.call_id, speaker="caller", text="hi", at=demo.now)

    with pytest.raises(IntegrityError) as caught, transaction(ctx.session_factory) as session:
        # A second turn with the same sequence number breaks the unique key.
        session.add(
            TranscriptTurn(call_id=ctx.call_id, seq=1, speaker="caller", text=secret, at=demo.now)
        )

    assert "Margaret" not in str(caught.value)
    assert "lisinopril" not in str(caught.value)
