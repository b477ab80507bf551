"""verify_patient: fuzzy names, exact birth dates, ambiguity and escalation."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from clinic.demo import DemoFacts, DemoPatient
from clinic.models import AuditEvent, Call, Patient, PatientStatus
from tests.tools.helpers import changed_tables, new_context, row_counts
from tools.base import CallContext
from tools.registry import call_tool


def _details(patient: DemoPatient, **changes: str) -> dict[str, str]:
    details = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
    }
    return details | changes


def _add_twin(ctx: CallContext, of: DemoPatient, phone: str) -> int:
    """Add a second chart with the same name and birth date, as twins' records would be."""
    with ctx.session_factory() as session, session.begin():
        twin = Patient(
            first_name=of.first_name,
            last_name=of.last_name,
            date_of_birth=of.date_of_birth,
            phone=phone,
            status=PatientStatus.ACTIVE,
            created_at=ctx.now(),
        )
        session.add(twin)
        session.flush()
        return twin.id


async def test_exact_details_verify(ctx: CallContext, demo: DemoFacts) -> None:
    patient = demo.established_patient

    result = await call_tool(ctx, "verify_patient", _details(patient))

    assert result.ok
    assert ctx.verified_patient_id == patient.id
    assert result.data["patient_id"] == patient.id
    with ctx.session_factory() as session:
        call = session.get(Call, ctx.call_id)
        assert call is not None
        assert call.patient_id == patient.id
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.tool_name == "verify_patient")
        ).one()
        assert audit.patient_id == patient.id
        assert audit.call_id == ctx.call_id
        assert audit.actor == "agent"


async def test_fuzzy_name_matches_chart(ctx: CallContext, demo: DemoFacts) -> None:
    john_smith, jon_smyth = demo.look_alike_patients

    result = await call_tool(
        ctx, "verify_patient", _details(john_smith, first_name="Jon", last_name="Smyth")
    )

    assert result.ok, result.message
    assert ctx.verified_patient_id == john_smith.id
    assert jon_smyth.id != john_smith.id


async def test_speech_spellings_match(ctx: CallContext, demo: DemoFacts) -> None:
    cases = [
        (demo.established_patient, "Margret", "Chenn"),
        (demo.apostrophe_patient, "Anne Marie", "OConnor"),
        (demo.spanish_speaking_patient, "Maria Jose", "Garcia Lopez"),
        (demo.look_alike_patients[1], "John", "Smith"),
    ]
    for patient, first, last in cases:
        ctx.verification_failures = 0
        result = await call_tool(
            ctx, "verify_patient", _details(patient, first_name=first, last_name=last)
        )
        assert result.ok, (first, last, result.message)
        assert ctx.verified_patient_id == patient.id


async def test_birth_date_mismatch_fails(ctx: CallContext, demo: DemoFacts) -> None:
    patient = demo.established_patient
    before = row_counts(ctx.session_factory)

    result = await call_tool(ctx, "verify_patient", _details(patient, date_of_birth="1958-04-13"))

    assert not result.ok
    assert result.error == "verification_failed"
    assert ctx.verified_patient_id is None
    assert not result.data.get("patient_id")
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 1}


async def test_different_name_same_birth_date_fails(ctx: CallContext, demo: DemoFacts) -> None:
    patient = demo.established_patient

    result = await call_tool(
        ctx, "verify_patient", _details(patient, first_name="Jane", last_name="Doe")
    )

    assert result.error == "verification_failed"
    assert ctx.verified_patient_id is None


async def test_failure_hides_which_detail_was_wrong(ctx: CallContext, demo: DemoFacts) -> None:
    patient = demo.established_patient

    wrong_date = await call_tool(
        ctx, "verify_patient", _details(patient, date_of_birth="1958-04-13")
    )
    wrong_name = await call_tool(
        new_context(ctx), "verify_patient", _details(patient, first_name="Jane")
    )

    assert wrong_date.message == wrong_name.message
    assert wrong_date.data == wrong_name.data == {}


async def test_same_name_picked_by_birth_date(ctx: CallContext, demo: DemoFacts) -> None:
    older, younger = demo.same_name_patients

    result = await call_tool(ctx, "verify_patient", _details(younger))

    assert result.ok
    assert ctx.verified_patient_id == younger.id
    assert older.id != younger.id


async def test_two_matching_charts_are_ambiguous(ctx: CallContext, demo: DemoFacts) -> None:
    patient = demo.same_name_patients[0]
    _add_twin(ctx, patient, phone="+18025559999")

    result = await call_tool(ctx, "verify_patient", _details(patient))

    assert not result.ok
    assert result.error == "ambiguous"
    assert ctx.verified_patient_id is None
    assert "phone" in result.message


async def test_phone_breaks_tie(ctx: CallContext, demo: DemoFacts) -> None:
    patient = demo.same_name_patients[0]
    twin_id = _add_twin(ctx, patient, phone="+18025559999")

    result = await call_tool(ctx, "verify_patient", _details(patient, phone="(802) 555-9999"))

    assert result.ok
    assert ctx.verified_patient_id == twin_id


async def test_caller_id_breaks_tie(ctx: CallContext, demo: DemoFacts) -> None:
    patient = demo.same_name_patients[0]
    _add_twin(ctx, patient, phone="+18025559999")
    ctx.caller_number = patient.phone

    result = await call_tool(ctx, "verify_patient", _details(patient))

    assert result.ok
    assert ctx.verified_patient_id == patient.id


async def test_unknown_phone_leaves_tie_escalated(ctx: CallContext, demo: DemoFacts) -> None:
    patient = demo.same_name_patients[0]
    _add_twin(ctx, patient, phone="+18025559999")

    result = await call_tool(ctx, "verify_patient", _details(patient, phone="802-555-0000"))

    assert not result.ok
    assert result.escalate
    assert ctx.verified_patient_id is None


async def test_two_failures_escalate(ctx: CallContext, demo: DemoFacts) -> None:
    patient = demo.established_patient
    wrong = _details(patient, date_of_birth="1960-01-01")

    first = await call_tool(ctx, "verify_patient", wrong)
    second = await call_tool(ctx, "verify_patient", wrong)
    third = await call_tool(ctx, "verify_patient", _details(patient))

    assert not first.escalate
    assert second.escalate
    assert third.escalate
    assert not third.ok
    assert ctx.verified_patient_id is None


async def test_inactive_chart_not_matched(ctx: CallContext, demo: DemoFacts) -> None:
    with ctx.session_factory() as session, session.begin():
        inactive = Patient(
            first_name="Olive",
            last_name="Quist",
            date_of_birth=date(1950, 5, 5),
            phone="+18025550990",
            status=PatientStatus.INACTIVE,
            created_at=ctx.now(),
        )
        session.add(inactive)

    result = await call_tool(
        ctx,
        "verify_patient",
        {"first_name": "Olive", "last_name": "Quist", "date_of_birth": "1950-05-05"},
    )

    assert result.error == "verification_failed"


async def test_new_patient_clears_pending_read_backs(ctx: CallContext, demo: DemoFacts) -> None:
    await call_tool(ctx, "verify_patient", _details(demo.established_patient))
    ctx.pending_confirmations["book_appointment"] = {"patient_id": demo.established_patient.id}

    await call_tool(ctx, "verify_patient", _details(demo.uninsured_patient))

    assert ctx.verified_patient_id == demo.uninsured_patient.id
    assert ctx.pending_confirmations == {}
