"""register_new_patient: a pending chart, a review task, and no duplicate charts."""

from __future__ import annotations

from sqlalchemy import select

from clinic.demo import DemoFacts
from clinic.models import AuditEvent, Coverage, Patient, PatientStatus, StaffTask, TaskKind
from tests.tools.helpers import changed_tables, confirm, row_counts
from tools.base import CallContext
from tools.registry import call_tool

NEW_CALLER = {
    "first_name": "Rosalind",
    "last_name": "Achterberg",
    "date_of_birth": "1991-07-04",
    "phone": "(802) 555-0177",
}


async def test_registration_creates_pending_chart(ctx: CallContext, demo: DemoFacts) -> None:
    result = await confirm(ctx, "register_new_patient", NEW_CALLER)

    assert result.ok, result.message
    patient_id = result.data["patient_id"]
    assert ctx.verified_patient_id == patient_id
    with ctx.session_factory() as session:
        patient = session.get(Patient, patient_id)
        assert patient is not None
        assert patient.status == PatientStatus.PENDING_REVIEW
        assert patient.phone == "+18025550177"
        assert patient.created_by_call_id == ctx.call_id
        task = session.scalars(select(StaffTask).where(StaffTask.patient_id == patient_id)).one()
        assert task.kind == TaskKind.REGISTRATION_REVIEW
        assert task.callback_number == "+18025550177"
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.tool_name == "register_new_patient")
        ).one()
        assert audit.action == "create"
        assert audit.patient_id == patient_id


async def test_registered_caller_can_book_new_visit(ctx: CallContext, demo: DemoFacts) -> None:
    await confirm(ctx, "register_new_patient", NEW_CALLER)

    result = await call_tool(ctx, "find_open_slots", {"appointment_type": "new_patient"})

    assert result.ok
    assert result.data["slots"]


async def test_registration_with_insurance_adds_coverage(ctx: CallContext, demo: DemoFacts) -> None:
    arguments = {
        **NEW_CALLER,
        "insurance_payer": "Cigna",
        "insurance_member_id": "U12345678",
    }

    result = await confirm(ctx, "register_new_patient", arguments)

    with ctx.session_factory() as session:
        coverage = session.scalars(
            select(Coverage).where(Coverage.patient_id == result.data["patient_id"])
        ).one()
        assert coverage.member_id == "U12345678"
        assert coverage.status.value == "pending"


async def test_existing_patient_not_registered_twice(ctx: CallContext, demo: DemoFacts) -> None:
    patient = demo.established_patient
    before = row_counts(ctx.session_factory)

    result = await call_tool(
        ctx,
        "register_new_patient",
        {
            "first_name": patient.first_name,
            "last_name": "Chenn",
            "date_of_birth": patient.date_of_birth.isoformat(),
            "phone": "802-555-0100",
        },
    )

    assert result.error == "rule_violation"
    assert "verify" in result.message
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 1}


async def test_names_with_quotes_and_sql_are_data(ctx: CallContext, demo: DemoFacts) -> None:
    arguments = {
        **NEW_CALLER,
        "first_name": "Robert'); DROP TABLE patient;--",
        "last_name": 'O\'Brien "Tables"',
    }

    result = await confirm(ctx, "register_new_patient", arguments)

    assert result.ok
    with ctx.session_factory() as session:
        patient = session.get(Patient, result.data["patient_id"])
        assert patient is not None
        assert patient.first_name == "Robert'); DROP TABLE patient;--"
        assert patient.last_name == 'O\'Brien "Tables"'
    assert row_counts(ctx.session_factory)["patient"] == demo.counts["patient"] + 1


async def test_registration_rejects_unneeded_fields(ctx: CallContext) -> None:
    before = row_counts(ctx.session_factory)

    result = await call_tool(
        ctx, "register_new_patient", {**NEW_CALLER, "social_security_number": "123-45-6789"}
    )

    assert result.error == "invalid_argument"
    assert "social_security_number" in result.message
    assert "123-45-6789" not in result.message
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 1}


async def test_future_birth_date_rejected(ctx: CallContext) -> None:
    result = await call_tool(
        ctx, "register_new_patient", {**NEW_CALLER, "date_of_birth": "2031-01-01"}
    )

    assert result.error == "invalid_argument"
