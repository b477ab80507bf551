"""call_tool: the tool list, schemas, the identity gate, records, audit and internal errors."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import select

from clinic.demo import DemoFacts
from clinic.models import AuditEvent, ToolCallRecord
from tests.tools.helpers import changed_tables, row_counts, verify
from tools.base import CallContext
from tools.registry import TOOLS, call_tool, openai_tools

CONTRACT_TOOLS = {
    "verify_patient",
    "find_open_slots",
    "book_appointment",
    "reschedule_appointment",
    "cancel_appointment",
    "list_upcoming_appointments",
    "request_refill",
    "insurance_lookup",
    "register_new_patient",
    "clinic_information",
    "transfer_to_human",
}
GATED = {
    "book_appointment",
    "reschedule_appointment",
    "cancel_appointment",
    "list_upcoming_appointments",
    "request_refill",
}
CONFIRMED = GATED - {"list_upcoming_appointments"} | {"register_new_patient"}


def test_registry_has_contract_tools() -> None:
    assert set(TOOLS) == CONTRACT_TOOLS
    assert {name for name, tool in TOOLS.items() if tool.requires_verified_patient} == GATED


def test_every_argument_is_described() -> None:
    for schema in openai_tools():
        function = schema["function"]
        assert len(function["description"]) > 80, function["name"]
        properties = function["parameters"].get("properties", {})
        for argument, spec in properties.items():
            assert spec.get("description"), (function["name"], argument)
        assert "patient_id" not in properties, function["name"]


def test_data_changing_tools_take_confirmed() -> None:
    for name in CONFIRMED:
        fields = TOOLS[name].arguments.model_fields
        assert "confirmed" in fields, name
        assert fields["confirmed"].default is False, name
        assert TOOLS[name].changes_data, name


async def test_gated_tools_refuse_unverified(ctx: CallContext) -> None:
    before = row_counts(ctx.session_factory)
    arguments: dict[str, dict[str, Any]] = {
        "book_appointment": {
            "provider_id": 1,
            "appointment_type": "follow_up",
            "start": "2026-03-10T09:00",
        },
        "reschedule_appointment": {"appointment_id": 1, "new_start": "2026-03-10T09:00"},
        "cancel_appointment": {"appointment_id": 1},
        "list_upcoming_appointments": {},
        "request_refill": {"medication": "lisinopril"},
    }

    for name in GATED:
        result = await call_tool(ctx, name, arguments[name])
        assert not result.ok, name
        assert result.error == "not_verified", name
        assert result.data == {"next_step": "Call verify_patient first."}

    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": len(GATED)}


async def test_every_call_is_recorded(ctx: CallContext, demo: DemoFacts) -> None:
    await call_tool(ctx, "clinic_information", {"topic": "address"})
    await call_tool(ctx, "find_open_slots", '{"appointment_type": "sick_visit", "limit": 1}')
    await call_tool(ctx, "verify_patient", {"first_name": "X"})
    await call_tool(ctx, "no_such_tool", {})

    with ctx.session_factory() as session:
        records = session.scalars(
            select(ToolCallRecord)
            .where(ToolCallRecord.call_id == ctx.call_id)
            .order_by(ToolCallRecord.seq)
        ).all()
    assert [r.tool_name for r in records] == [
        "clinic_information",
        "find_open_slots",
        "verify_patient",
        "no_such_tool",
    ]
    assert [r.seq for r in records] == [1, 2, 3, 4]
    assert [r.ok for r in records] == [True, True, False, False]
    assert records[1].arguments["appointment_type"] == "sick_visit"
    assert records[1].result["data"]["slots"]
    assert records[2].error_code == "invalid_argument"
    assert records[3].error_code == "unknown_tool"
    assert all(r.duration_ms >= 0 for r in records)


PATIENT_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("find_open_slots", {"appointment_type": "follow_up", "limit": 1}),
    ("list_upcoming_appointments", {}),
    ("cancel_appointment", {"appointment_id": 0}),
    ("insurance_lookup", {"question": "coverage_on_file"}),
    ("insurance_lookup", {"question": "copay", "appointment_type": "follow_up"}),
    ("request_refill", {"medication": "lisinopril"}),
]


@pytest.mark.parametrize(("name", "arguments"), PATIENT_CALLS, ids=[c[0] for c in PATIENT_CALLS])
async def test_patient_reads_are_audited(
    ctx: CallContext, demo: DemoFacts, name: str, arguments: dict[str, Any]
) -> None:
    verify(ctx, demo.established_patient)
    if name == "cancel_appointment":
        arguments = {"appointment_id": demo.upcoming_appointment.id}

    result = await call_tool(ctx, name, arguments)

    assert result.ok, result.message
    with ctx.session_factory() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.call_id == ctx.call_id)).all()
    assert len(events) == 1
    assert events[0].tool_name == name
    assert events[0].patient_id == demo.established_patient.id
    assert events[0].actor == "agent"


async def test_audit_detail_holds_no_caller_words(ctx: CallContext, demo: DemoFacts) -> None:
    verify(ctx, demo.established_patient)
    secret = "my neighbour Bob is driving me"
    arguments = {"appointment_id": demo.upcoming_appointment.id, "reason": secret}
    await call_tool(ctx, "cancel_appointment", arguments)
    ctx.caller_confirmed = True
    await call_tool(ctx, "cancel_appointment", {**arguments, "confirmed": True})

    with ctx.session_factory() as session:
        details = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.call_id == ctx.call_id)
        ).all()
    assert len(details) == 2
    assert secret not in json.dumps(details)


async def test_internal_error_is_caller_safe(
    ctx: CallContext, caplog: pytest.LogCaptureFixture
) -> None:
    broken = CallContext(session_factory=ctx.session_factory, clinic_id=999_999, call_id=None)

    with caplog.at_level(logging.ERROR, logger="tools.registry"):
        result = await call_tool(broken, "clinic_information", {"topic": "hours"})

    assert not result.ok
    assert result.error == "internal_error"
    assert "999999" not in result.message
    assert "Clinic" not in result.message
    assert "LookupError" in caplog.text
    assert "999999" not in caplog.text


async def test_missing_call_row_still_answers(ctx: CallContext) -> None:
    ctx.call_id = 999_999

    result = await call_tool(ctx, "clinic_information", {"topic": "address"})

    assert result.ok


@pytest.mark.parametrize("name", sorted(CONTRACT_TOOLS))
async def test_each_tool_call_recorded(ctx: CallContext, name: str) -> None:
    result = await call_tool(ctx, name, {})

    with ctx.session_factory() as session:
        record = session.scalars(
            select(ToolCallRecord).where(ToolCallRecord.call_id == ctx.call_id)
        ).one()
    assert record.tool_name == name
    assert record.ok == result.ok
    assert record.error_code == result.error
    assert record.result["message"] == result.message
