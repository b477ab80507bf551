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


def test_times_in_finds_bare_hours() -> None:
    assert times_in("See you at 3.") == [((3, 0), False)]
    assert times_in("Come in at three o'clock.") == [((3, 0), False)]
    assert times_in("How about around 10 tomorrow?") == [((10, 0), False)]
    assert times_in("I have Tuesday at 3 in the afternoon.") == [((15, 0), True)]
    assert times_in("Lo veo a las tres.") == [((3, 0), False)]


def test_times_in_reads_spoken_minutes() -> None:
    assert times_in("at nine oh five AM") == [((9, 5), True)]
    assert times_in("a las 9 y 5 de la mañana") == [((9, 5), True)]


def test_times_in_skips_numbers_that_are_no_hour() -> None:
    for sentence in (
        "We're at 12 Maple Street.",
        "You can see us at one of our two offices.",
        "We have providers at 2 locations.",
        "Call us at 802-555-0100.",
        "Please arrive at least 15 minutes early.",
        "Cancel at least 24 hours ahead.",
    ):
        assert times_in(sentence) == [], sentence


def test_bare_hour_not_from_a_tool_result_is_replaced() -> None:
    checker = ReplyChecker(facts())
    state = state_with(SLOTS)

    for sentence in (
        "I can book you Wednesday at 3.",
        "Dr. Patel can see you at three o'clock.",
        "El doctor lo puede ver a las once.",
    ):
        language = "es" if "doctor" in sentence else "en"
        state.language = language
        assert checker.check(sentence, state) == phrase("safety.time_blocked", language)


def test_bare_hour_from_a_tool_result_passes() -> None:
    checker = ReplyChecker(facts())
    afternoon = ToolResult(
        ok=True,
        message="Dr. Patel has Wednesday, March 11 at 3 PM.",
        data={"slots": [{"start": "2026-03-11T15:00-04:00"}]},
    )

    spoken = checker.check("So that's Wednesday at 3 with Dr. Patel.", state_with(afternoon))

    assert spoken == "So that's Wednesday at 3 with Doctor Patel."


def test_spoken_minutes_pass_the_check_again() -> None:
    checker = ReplyChecker(facts())
    five_past = ToolResult(
        ok=True,
        message="I have Tuesday, March 10 at 9:05 AM with Dr. Patel.",
        data={"slots": [{"start": "2026-03-10T09:05-04:00"}]},
    )
    state = state_with(five_past)

    first = checker.check("I have Tuesday, March 10 at 9:05 AM with Dr. Patel.", state)
    again = checker.check(first, state)

    assert "nine oh five AM" in first
    assert again == first


def test_approval_claims_are_replaced() -> None:
    checker = ReplyChecker(facts())
    state = state_with()

    for claim in (
        "Good news, your refill of oxycodone has been approved.",
        "It's approved, you can pick it up today.",
        "Dr. Patel already approved it.",
        "Your prescription is ready for pickup.",
    ):
        assert checker.check(claim, state) == phrase("safety.approval_blocked"), claim
    state.language = "es"
    spanish = "Su resurtido ya fue aprobado."
    assert checker.check(spanish, state) == phrase("safety.approval_blocked", "es")


def test_statements_about_review_pass() -> None:
    checker = ReplyChecker(facts())

    for sentence in (
        "Your request isn't approved yet; Doctor Patel reviews it within two business days.",
        "I can't approve refills, but I can send the request to your prescriber.",
        "The request has not been approved.",
    ):
        assert checker.check(sentence, state_with()) == sentence, sentence
