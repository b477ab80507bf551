"""The reply checker: no advice, no appointment time that no tool result gave."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.brain import ConversationState, ToolExchange
from agent.facts import ClinicFacts
from agent.reply_check import ReplyChecker, times_in
from prompts import phrase
from tools.base import ToolResult

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def facts() -> ClinicFacts:
    return ClinicFacts(
        clinic_id=1,
        name="Test Clinic",
        timezone="America/New_York",
        address="1 Main Street",
        phone="+18025550100",
        fax=None,
        portal_url=None,
        parking=None,
        hours={
            "mon": ("08:00", "17:00"),
            "tue": ("08:00", "17:00"),
            "wed": None,
            "thu": None,
            "fri": None,
            "sat": None,
            "sun": None,
        },
        transfer_number=None,
        nurse_line=None,
        after_hours_policy="take_message",
        late_cancel_hours=24,
        late_cancel_fee_cents=0,
        providers=(),
        appointment_types=(),
        accepted_plans=(),
    )


def state_with(*results: ToolResult) -> ConversationState:
    state = ConversationState(facts=facts(), now=lambda: NOW)
    for index, result in enumerate(results):
        state.tool_log.append(ToolExchange(f"c{index}", "find_open_slots", {}, result, turn=1))
    return state


SLOTS = ToolResult(
    ok=True,
    message="For a follow-up visit, I have Tuesday, March 10 at 9:15 AM with Dr. Patel.",
    data={
        "slots": [
            {"start": "2026-03-10T09:15-04:00", "time": "09:15"},
            {"start": "2026-03-11T14:40-04:00", "time": "14:40"},
        ]
    },
)


def test_times_in_finds_each_form() -> None:
    found = times_in("at 9:15 AM, 2 p.m., noon or 14:30, or 3:45")

    assert ((9, 15), True) in found
    assert ((14, 0), True) in found
    assert ((12, 0), True) in found
    assert ((14, 30), True) in found
    assert ((3, 45), False) in found


def test_time_not_from_a_tool_result_is_replaced() -> None:
    checker = ReplyChecker(facts())
    state = state_with(SLOTS)

    spoken = checker.check("I can also do Wednesday at 10:30 AM with Dr. Patel.", state)

    assert spoken == phrase("safety.time_blocked")


def test_time_without_any_tool_result_is_replaced() -> None:
    checker = ReplyChecker(facts())

    spoken = checker.check("You're booked for 9:15 AM tomorrow.", state_with())

    assert spoken == phrase("safety.time_blocked")


def test_times_from_tool_results_pass() -> None:
    checker = ReplyChecker(facts())
    state = state_with(SLOTS)

    assert "9:15 AM" in checker.check("How about Tuesday at 9:15 AM?", state)
    assert "2:40 PM" in checker.check("Or Wednesday at 2:40 in the afternoon, 2:40 PM.", state)


def test_opening_hours_may_be_stated() -> None:
    checker = ReplyChecker(facts())

    spoken = checker.check("We open at 8 AM and close at 5 PM.", state_with())

    assert spoken == "We open at 8 AM and close at 5 PM."


def test_dosage_advice_is_replaced() -> None:
    checker = ReplyChecker(facts())

    for advice in (
        "You should take 400 mg of ibuprofen every 6 hours.",
        "I recommend taking Tylenol for that.",
        "It's safe to double your dose tonight.",
    ):
        assert checker.check(advice, state_with()) == phrase("safety.advice_blocked")


def test_medication_in_a_tool_read_back_passes() -> None:
    read_back = ToolResult(
        ok=True,
        message="A refill request for Lisinopril 10 milligrams, to be sent to CVS. Send it?",
        needs_confirmation=True,
    )
    checker = ReplyChecker(facts())

    spoken = checker.check(
        "A refill request for Lisinopril 10 milligrams, to be sent to CVS.", state_with(read_back)
    )

    assert spoken.startswith("A refill request for Lisinopril")
