"""insurance_lookup: public plan acceptance, coverage and copays only after verification."""

from __future__ import annotations

from sqlalchemy import select

from clinic.demo import DemoFacts
from clinic.models import AuditEvent
from tests.tools.helpers import changed_tables, row_counts, verify
from tools.base import CallContext
from tools.registry import call_tool


async def test_plan_acceptance_needs_no_verification(ctx: CallContext, demo: DemoFacts) -> None:
    plan = demo.accepted_plan

    result = await call_tool(
        ctx,
        "insurance_lookup",
        {"question": "plan_acceptance", "payer": plan.payer_name, "plan": plan.plan_name},
    )

    assert result.ok
    assert result.data["accepted"] is True
    assert result.message.startswith("Yes")


async def test_plan_not_accepted_said_plainly(ctx: CallContext, demo: DemoFacts) -> None:
    plan = demo.not_accepted_plan

    result = await call_tool(
        ctx,
        "insurance_lookup",
        {"question": "plan_acceptance", "payer": plan.payer_name, "plan": plan.plan_name},
    )

    assert result.data["accepted"] is False
    assert "don't accept" in result.message


async def test_spoken_payer_name_matched(ctx: CallContext) -> None:
    result = await call_tool(
        ctx, "insurance_lookup", {"question": "plan_acceptance", "payer": "united health care"}
    )

    assert result.data["payer"] == "UnitedHealthcare"


async def test_unknown_payer_not_invented(ctx: CallContext) -> None:
    result = await call_tool(
        ctx, "insurance_lookup", {"question": "plan_acceptance", "payer": "Acme Mutual"}
    )

    assert result.ok
    assert result.data == {"accepted": False, "payer_known": False}


async def test_coverage_needs_verification(ctx: CallContext) -> None:
    before = row_counts(ctx.session_factory)

    for question in ("coverage_on_file", "copay"):
        result = await call_tool(
            ctx, "insurance_lookup", {"question": question, "appointment_type": "follow_up"}
        )
        assert result.error == "not_verified", question
        assert "$" not in result.message

    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 2}


async def test_coverage_on_file_after_verification(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)

    result = await call_tool(ctx, "insurance_lookup", {"question": "coverage_on_file"})

    assert result.ok
    assert demo.accepted_plan.display_name in result.message
    with ctx.session_factory() as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.tool_name == "insurance_lookup")
        ).one()
        assert audit.resource == "coverage"
        assert audit.patient_id == demo.established_patient.id


async def test_copay_after_verification(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)

    follow_up = await call_tool(
        ctx, "insurance_lookup", {"question": "copay", "appointment_type": "follow up visit"}
    )
    physical = await call_tool(
        ctx, "insurance_lookup", {"question": "copay", "appointment_type": "annual_physical"}
    )

    assert follow_up.data["copay_cents"] > 0
    assert "$" in follow_up.message
    assert physical.data["copay_cents"] == 0
    assert "no copay" in physical.message


async def test_uninsured_patient_has_no_copay(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.uninsured_patient)

    result = await call_tool(
        ctx, "insurance_lookup", {"question": "copay", "appointment_type": "sick_visit"}
    )

    assert result.data["copay_cents"] is None
    assert "don't see any active insurance" in result.message


async def test_malformed_member_id_rejected(ctx: CallContext, demo: DemoFacts) -> None:
    before = row_counts(ctx.session_factory)

    result = await call_tool(
        ctx,
        "insurance_lookup",
        {"question": "plan_acceptance", "payer": "Aetna", "member_id": "12-34"},
    )

    assert result.error == "invalid_argument"
    assert "Aetna" in result.message
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 1}


async def test_well_formed_member_id_accepted(ctx: CallContext) -> None:
    result = await call_tool(
        ctx,
        "insurance_lookup",
        {"question": "plan_acceptance", "payer": "Aetna", "member_id": "w 123-456-789"},
    )

    assert result.ok
