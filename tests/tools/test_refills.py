"""request_refill: routing to the prescriber, staff review or renewal; never approval."""

from __future__ import annotations

from sqlalchemy import select

from clinic.demo import DemoFacts
from clinic.models import AuditEvent, RefillRequest, RefillStatus, StaffTask, TaskKind, TaskPriority
from tests.tools.helpers import changed_tables, confirm, row_counts, verify
from tools.base import CallContext
from tools.registry import call_tool


def _request_and_task(ctx: CallContext, request_id: int) -> tuple[RefillRequest, list[StaffTask]]:
    with ctx.session_factory() as session:
        request = session.get(RefillRequest, request_id)
        assert request is not None
        tasks = session.scalars(
            select(StaffTask).where(StaffTask.refill_request_id == request_id)
        ).all()
        return request, list(tasks)


def test_no_approved_status_exists() -> None:
    assert "approved" not in {status.value for status in RefillStatus}


async def test_controlled_substance_goes_to_staff_review(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.controlled_patient)
    drug = demo.controlled_prescription.drug_name

    result = await confirm(ctx, "request_refill", {"medication": drug})

    assert result.ok
    assert result.data["status"] == RefillStatus.STAFF_REVIEW.value
    assert "approved" not in result.message.lower()
    assert "controlled" in result.message
    assert "by " in result.message
    request, tasks = _request_and_task(ctx, result.data["refill_request_id"])
    assert request.status == RefillStatus.STAFF_REVIEW
    assert request.prescription_id == demo.controlled_prescription.id
    assert "schedule II" in request.route_reason
    assert len(tasks) == 1
    assert tasks[0].kind == TaskKind.REFILL_REVIEW
    assert tasks[0].patient_id == demo.controlled_patient.id
    assert tasks[0].call_id == ctx.call_id


async def test_schedule_iv_with_refills_still_reviewed(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.controlled_patient)
    prescription = demo.schedule_iv_prescription
    assert prescription.refills_left > 0

    result = await confirm(ctx, "request_refill", {"medication": prescription.drug_name})

    assert result.data["status"] == RefillStatus.STAFF_REVIEW.value


async def test_no_refills_left_requests_renewal(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)

    result = await confirm(
        ctx, "request_refill", {"medication": demo.no_refills_prescription.drug_name}
    )

    assert result.data["status"] == RefillStatus.RENEWAL_REQUESTED.value
    assert "renew" in result.message
    request, tasks = _request_and_task(ctx, result.data["refill_request_id"])
    assert request.status == RefillStatus.RENEWAL_REQUESTED
    assert [task.kind for task in tasks] == [TaskKind.REFILL_REVIEW]


async def test_refillable_goes_to_prescriber_queue(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)

    result = await confirm(
        ctx, "request_refill", {"medication": "lisinoprel 10 milligrams", "pharmacy": "Walgreens"}
    )

    assert result.data["status"] == RefillStatus.QUEUED.value
    assert "two business days" in result.message
    request, tasks = _request_and_task(ctx, result.data["refill_request_id"])
    assert request.prescription_id == demo.refillable_prescription.id
    assert request.prescriber_id == demo.refillable_prescription.prescriber_id
    assert request.pharmacy_id == demo.pharmacy_ids["Walgreens"]
    assert tasks == []
    with ctx.session_factory() as session:
        audit = session.scalars(
            select(AuditEvent).where(
                AuditEvent.resource == "refill_request", AuditEvent.resource_id == request.id
            )
        ).one()
        assert audit.patient_id == demo.established_patient.id


async def test_urgent_refill_gets_high_priority_task(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)

    result = await confirm(
        ctx,
        "request_refill",
        {"medication": demo.refillable_prescription.drug_name, "urgency": "urgent"},
    )

    assert result.data["status"] == RefillStatus.QUEUED.value
    assert "one business day" in result.message
    _, tasks = _request_and_task(ctx, result.data["refill_request_id"])
    assert [task.priority for task in tasks] == [TaskPriority.HIGH]


async def test_unknown_medication_goes_to_staff(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)

    result = await confirm(ctx, "request_refill", {"medication": "Zyrtexin"})

    assert result.data["status"] == RefillStatus.STAFF_REVIEW.value
    assert "don't see" in result.message
    request, tasks = _request_and_task(ctx, result.data["refill_request_id"])
    assert request.prescription_id is None
    assert request.medication_text == "Zyrtexin"
    assert len(tasks) == 1


async def test_repeat_request_not_duplicated(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    arguments = {"medication": demo.refillable_prescription.drug_name}
    await confirm(ctx, "request_refill", arguments)
    before = row_counts(ctx.session_factory)

    again = await call_tool(ctx, "request_refill", arguments)

    assert again.ok
    assert again.data["duplicate"] is True
    assert not again.needs_confirmation
    assert changed_tables(before, row_counts(ctx.session_factory)) == {
        "tool_call": 1,
        "audit_event": 1,
    }


async def test_refill_needs_verified_patient(ctx: CallContext, demo: DemoFacts) -> None:
    before = row_counts(ctx.session_factory)

    result = await call_tool(ctx, "request_refill", {"medication": "lisinopril"})

    assert result.error == "not_verified"
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 1}
