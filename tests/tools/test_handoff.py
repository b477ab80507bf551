"""transfer_to_human: a transfer when staff can take the call, else a callback task."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import update

from clinic.demo import DemoFacts
from clinic.models import Call, Clinic, StaffTask, TaskKind, TaskPriority
from tests.tools.helpers import changed_tables, row_counts, verify
from tools.base import CallContext
from tools.registry import call_tool


def _at_local(ctx: CallContext, demo: DemoFacts, when: datetime) -> None:
    pinned = when.replace(tzinfo=ZoneInfo(demo.timezone))
    ctx.now = lambda: pinned


async def test_open_clinic_transfers(ctx: CallContext, demo: DemoFacts) -> None:
    before = row_counts(ctx.session_factory)

    result = await call_tool(
        ctx, "transfer_to_human", {"reason": "caller asked for a person", "urgency": "high"}
    )

    assert result.ok
    assert result.data["action"] == "transfer"
    assert result.data["number"] == "+18025550102"
    assert result.data["urgency"] == "high"
    with ctx.session_factory() as session:
        call = session.get(Call, ctx.call_id)
        assert call is not None
        assert call.escalated is True
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 1}


async def test_closed_clinic_takes_message(ctx: CallContext, demo: DemoFacts) -> None:
    _at_local(ctx, demo, datetime(2026, 3, 8, 14, 0))  # a Sunday
    ctx.caller_number = "+18025550123"

    result = await call_tool(
        ctx,
        "transfer_to_human",
        {"reason": "billing question", "urgency": "normal", "message": "About my last bill."},
    )

    assert result.data["action"] == "message_taken"
    assert "Monday, March 9 at 8 AM" in result.message
    assert "802-555-0123" in result.message
    with ctx.session_factory() as session:
        task = session.get(StaffTask, result.data["task_id"])
        assert task is not None
        assert task.kind == TaskKind.CALLBACK
        assert task.reason == "billing question"
        assert task.priority == TaskPriority.NORMAL
        assert task.callback_number == "+18025550123"
        assert task.call_id == ctx.call_id
        assert task.details is not None
        assert "About my last bill." in task.details


async def test_holiday_takes_message(ctx: CallContext, demo: DemoFacts) -> None:
    _at_local(ctx, demo, datetime.combine(demo.closure_day, time(10, 0)))
    verify(ctx, demo.established_patient)

    result = await call_tool(
        ctx, "transfer_to_human", {"reason": "question about results", "urgency": "urgent"}
    )

    assert result.data["action"] == "message_taken"
    assert result.data["callback_number"] == demo.established_patient.phone
    assert "nurse line" in result.message
    with ctx.session_factory() as session:
        task = session.get(StaffTask, result.data["task_id"])
        assert task is not None
        assert task.priority == TaskPriority.URGENT
        assert task.patient_id == demo.established_patient.id


async def test_no_transfer_number_takes_message(ctx: CallContext, demo: DemoFacts) -> None:
    with ctx.session_factory() as session, session.begin():
        session.execute(
            update(Clinic).where(Clinic.id == demo.clinic_id).values(transfer_number=None)
        )

    result = await call_tool(
        ctx,
        "transfer_to_human",
        {"reason": "wants a person", "callback_number": "802 555 0144", "caller_name": "Pat"},
    )

    assert result.data["action"] == "message_taken"
    assert result.data["callback_number"] == "+18025550144"


async def test_message_without_number_asks_for_one(ctx: CallContext, demo: DemoFacts) -> None:
    _at_local(ctx, demo, datetime(2026, 3, 8, 14, 0))
    before = row_counts(ctx.session_factory)

    result = await call_tool(ctx, "transfer_to_human", {"reason": "callback please"})

    assert result.error == "invalid_argument"
    assert "phone number" in result.message
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 1}


async def test_answering_service_transfers_after_hours(ctx: CallContext, demo: DemoFacts) -> None:
    _at_local(ctx, demo, datetime(2026, 3, 8, 14, 0))
    with ctx.session_factory() as session, session.begin():
        session.execute(
            update(Clinic)
            .where(Clinic.id == demo.clinic_id)
            .values(after_hours_policy="transfer_answering_service")
        )

    result = await call_tool(ctx, "transfer_to_human", {"reason": "after-hours question"})

    assert result.data["action"] == "transfer"
    assert "answering service" in result.message
