"""Bad input gets a clear error result, never an exception, and writes nothing but the record."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from clinic.demo import DemoFacts
from clinic.models import ToolCallRecord
from tests.tools.helpers import changed_tables, row_counts, verify
from tools.base import CallContext
from tools.registry import call_tool

HUGE = "x" * 10_000
SQL = "Robert'); DROP TABLE patient;--"

BAD_INPUTS: list[tuple[str, str, dict[str, Any] | str, str]] = [
    ("impossible date", "find_open_slots",
     {"appointment_type": "sick_visit", "date_from": "2026-02-30"}, "invalid_argument"),
    ("spoken date", "find_open_slots",
     {"appointment_type": "sick_visit", "date_from": "next Tuesday"}, "invalid_argument"),
    ("bad time", "find_open_slots",
     {"appointment_type": "sick_visit", "earliest_time": "25:00"}, "invalid_argument"),
    ("reversed range", "find_open_slots",
     {"appointment_type": "sick_visit", "date_from": "2026-03-10", "date_to": "2026-03-09"},
     "invalid_argument"),
    ("unknown provider", "find_open_slots",
     {"appointment_type": "sick_visit", "provider": "Dr. Nobody"}, "not_found"),
    ("unknown visit type", "find_open_slots", {"appointment_type": "tattoo removal"}, "not_found"),
    ("empty visit type", "find_open_slots", {"appointment_type": "   "}, "invalid_argument"),
    ("huge visit type", "find_open_slots", {"appointment_type": HUGE}, "invalid_argument"),
    ("limit too high", "find_open_slots",
     {"appointment_type": "sick_visit", "limit": 500}, "invalid_argument"),
    ("sql in provider", "find_open_slots",
     {"appointment_type": "sick_visit", "provider": SQL}, "not_found"),
    ("missing name", "verify_patient",
     {"last_name": "Chen", "date_of_birth": "1958-04-12"}, "invalid_argument"),
    ("empty name", "verify_patient",
     {"first_name": "", "last_name": "Chen", "date_of_birth": "1958-04-12"}, "invalid_argument"),
    ("huge name", "verify_patient",
     {"first_name": HUGE, "last_name": "Chen", "date_of_birth": "1958-04-12"},
     "invalid_argument"),
    ("sql in name", "verify_patient",
     {"first_name": SQL, "last_name": "' OR '1'='1", "date_of_birth": "1958-04-12"},
     "verification_failed"),
    ("month 13", "verify_patient",
     {"first_name": "Margaret", "last_name": "Chen", "date_of_birth": "1958-13-12"},
     "invalid_argument"),
    ("bad phone", "verify_patient",
     {"first_name": "Margaret", "last_name": "Chen", "date_of_birth": "1958-04-12",
      "phone": "12"}, "invalid_argument"),
    ("spoken start", "book_appointment",
     {"provider_id": 1, "appointment_type": "follow_up", "start": "tomorrow at 9"},
     "invalid_argument"),
    ("text provider id", "book_appointment",
     {"provider_id": "Dr. Patel", "appointment_type": "follow_up", "start": "2026-03-10T09:00"},
     "invalid_argument"),
    ("unknown provider id", "book_appointment",
     {"provider_id": 4242, "appointment_type": "follow_up", "start": "2026-03-10T09:00"},
     "not_found"),
    ("patient as argument", "book_appointment",
     {"provider_id": 1, "appointment_type": "follow_up", "start": "2026-03-10T09:00",
      "patient_id": 2}, "invalid_argument"),
    ("confirmed as text", "cancel_appointment",
     {"appointment_id": 1, "confirmed": "definitely"}, "invalid_argument"),
    ("unknown appointment", "cancel_appointment", {"appointment_id": 987654}, "not_found"),
    ("malformed member id", "insurance_lookup",
     {"question": "plan_acceptance", "payer": "Cigna", "member_id": "ABC"}, "invalid_argument"),
    ("unknown question", "insurance_lookup", {"question": "deductible"}, "invalid_argument"),
    ("huge reason", "transfer_to_human", {"reason": HUGE}, "invalid_argument"),
    ("bad urgency", "transfer_to_human",
     {"reason": "help", "urgency": "whenever"}, "invalid_argument"),
    ("empty refill", "request_refill", {"medication": " "}, "invalid_argument"),
    ("not json", "clinic_information", "{topic: hours", "invalid_argument"),
    ("json array", "clinic_information", '["hours"]', "invalid_argument"),
    ("huge json", "clinic_information", '{"topic": "' + "y" * 30_000 + '"}', "invalid_argument"),
    ("unknown topic", "clinic_information", {"topic": "wifi password"}, "invalid_argument"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "name", "arguments", "error"), BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS]
)
async def test_bad_input_writes_nothing(
    ctx: CallContext,
    demo: DemoFacts,
    label: str,
    name: str,
    arguments: dict[str, Any] | str,
    error: str,
) -> None:
    verify(ctx, demo.established_patient)
    before = row_counts(ctx.session_factory)

    result = await call_tool(ctx, name, arguments)

    assert not result.ok, label
    assert result.error == error, (label, result.message)
    assert result.message, label
    assert len(result.message) < 400, label
    assert HUGE not in result.message
    assert "Traceback" not in result.message
    assert changed_tables(before, row_counts(ctx.session_factory)) == {"tool_call": 1}


async def test_bad_input_record_is_cut_short(ctx: CallContext) -> None:
    await call_tool(ctx, "transfer_to_human", {"reason": HUGE})

    with ctx.session_factory() as session:
        record = session.scalars(
            select(ToolCallRecord).where(ToolCallRecord.call_id == ctx.call_id)
        ).one()
    assert len(record.arguments["reason"]) == 500
    assert record.error_code == "invalid_argument"
