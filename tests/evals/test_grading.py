"""Grading end to end: fake agents on a real seeded database, graded like real runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from clinic.db import transaction
from clinic.models import Appointment, AppointmentStatus, AppointmentType, Patient, Provider
from evals.conversation import AgentReply
from evals.fixtures import ClinicDatabase, fixture_problems
from evals.results import RunResult
from evals.runner import EvalOptions, run_suite
from evals.scenario import CallerLine
from tests.evals.conftest import Script, make_scenario

BOOKED_TEXT = "You're booked with Dr. Patel on Thursday at 10 AM. Anything else?"
BOOK_CALL = ("book_appointment", {"confirmed": True}, {"ok": True, "message": "Booked."})


def book_for_real(database: ClinicDatabase, patient_name: str = "Margaret Chen") -> None:
    first, last = patient_name.split(" ", 1)
    starts_at = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
    with transaction(database.session_factory) as session:
        patient = session.scalars(
            select(Patient).where(Patient.first_name == first, Patient.last_name == last)
        ).one()
        provider = session.scalars(select(Provider).where(Provider.last_name == "Patel")).one()
        kind = session.scalars(
            select(AppointmentType).where(AppointmentType.code == "follow_up")
        ).one()
        session.add(
            Appointment(
                patient_id=patient.id,
                provider_id=provider.id,
                appointment_type_id=kind.id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=20),
                status=AppointmentStatus.BOOKED,
                booked_by="agent",
                created_at=database.now,
            )
        )


def run_one(options: EvalOptions, **overrides: object) -> RunResult:
    import asyncio

    report = asyncio.run(run_suite([make_scenario(**overrides)], options))
    return report.scenarios[0].runs[0]


def failed(run: RunResult) -> dict[str, str]:
    return {c.check: c.detail for c in run.failures()}


def test_booking_that_writes_the_row_passes(
    fake_options: Callable[[Script], EvalOptions],
) -> None:
    def agent(database: ClinicDatabase, turn: int, line: CallerLine) -> AgentReply:
        if turn > 1:
            return AgentReply(text="Goodbye.")
        book_for_real(database)
        return AgentReply(text=BOOKED_TEXT, tool_calls=[BOOK_CALL])

    run = run_one(fake_options(agent))
    assert failed(run) == {}
    assert run.passed
    assert run.ended_by == "caller_done"


def test_right_words_with_wrong_database_fail(
    fake_options: Callable[[Script], EvalOptions],
) -> None:
    """The agent says it booked and reports a successful tool call, but no row exists."""

    def agent(database: ClinicDatabase, turn: int, line: CallerLine) -> AgentReply:
        return AgentReply(text=BOOKED_TEXT, tool_calls=[BOOK_CALL])

    run = run_one(fake_options(agent))
    failures = failed(run)
    assert not run.passed
    assert list(failures) == ["database.rows[0] created appointment"]
    assert "found 0" in failures["database.rows[0] created appointment"]
    passed = {c.check for c in run.checks if c.passed}
    assert {"say.must[0]", "tools.required[0]"} <= passed


def test_booking_for_the_wrong_patient_fails(
    fake_options: Callable[[Script], EvalOptions],
) -> None:
    def agent(database: ClinicDatabase, turn: int, line: CallerLine) -> AgentReply:
        book_for_real(database, "Tyler Nguyen")
        return AgentReply(text=BOOKED_TEXT, tool_calls=[BOOK_CALL])

    failures = failed(run_one(fake_options(agent)))
    assert "database.rows[0] created appointment" in failures
    assert "unexpected changes in appointment" in failures["database.unchanged appointment"]


def test_forbidden_tool_call_fails(fake_options: Callable[[Script], EvalOptions]) -> None:
    cancel = ("cancel_appointment", {"appointment_id": 2, "confirmed": True}, {"ok": True})

    def agent(database: ClinicDatabase, turn: int, line: CallerLine) -> AgentReply:
        if turn > 1:
            return AgentReply(text="Goodbye.")
        book_for_real(database)
        return AgentReply(text=BOOKED_TEXT, tool_calls=[BOOK_CALL, cancel])

    expect = make_scenario().expect.model_dump(exclude_none=True)
    expect["tools"]["forbidden"] = [
        {"name": "cancel_appointment", "arguments": {"confirmed": True}}
    ]
    run = run_one(fake_options(agent), expect=expect)
    failures = run.failures()
    assert [c.check for c in failures] == ["tools.forbidden[0]"]
    assert failures[0].turn == 1
    assert "cancel_appointment" in failures[0].detail


def test_must_say_by_turn_and_escalation(fake_options: Callable[[Script], EvalOptions]) -> None:
    def agent(database: ClinicDatabase, turn: int, line: CallerLine) -> AgentReply:
        if turn == 1:
            return AgentReply(text="I'm sorry to hear that. Let me find a time.")
        return AgentReply(text="Please hang up and call 911.")

    expect = {
        "say": {"must": [{"regex": "911", "by_turn": 1}]},
        "escalation": {"expected": True, "urgency": "urgent"},
        "database": {"unchanged": []},
    }
    failures = failed(run_one(fake_options(agent), expect=expect))
    assert "never said /911/ by caller turn 1" in failures["say.must[0]"]
    assert failures["escalation"] == "the agent never handed the call over"


def test_silent_agent_and_crash_are_failures(
    fake_options: Callable[[Script], EvalOptions],
) -> None:
    def agent(database: ClinicDatabase, turn: int, line: CallerLine) -> AgentReply:
        if turn == 1:
            return AgentReply(text="")
        raise RuntimeError("brain exploded")

    run = run_one(fake_options(agent), expect={"database": {"unchanged": []}})
    failures = failed(run)
    assert failures["agent_replied"] == "the agent said nothing in reply to this caller turn"
    assert failures["run"] == "the agent raised an error: RuntimeError: brain exploded"
    assert run.ended_by == "error"


OVERLAPPING_FIXTURE = {
    # Margaret Chen's seeded follow-up with Dr. Patel starts at this time.
    "appointments": [
        {
            "patient": "Margaret Chen",
            "provider": "Patel",
            "appointment_type": "follow_up",
            "starts_at": "2026-03-10 09:15",
        }
    ]
}


def test_overlapping_fixture_fails_the_run(
    fake_options: Callable[[Script], EvalOptions],
) -> None:
    def agent(database: ClinicDatabase, turn: int, line: CallerLine) -> AgentReply:
        raise AssertionError("the call must not start without its fixture")

    run = run_one(fake_options(agent), fixture=OVERLAPPING_FIXTURE)
    assert not run.passed
    assert "overlaps a seeded booking" in failed(run)["fixture"]
    assert run.ended_by == "error"


def test_fixture_problems_name_the_scenario() -> None:
    good = make_scenario()
    bad = make_scenario(id="booking-overlap", fixture=OVERLAPPING_FIXTURE)
    problems = fixture_problems([good, bad])
    assert len(problems) == 1
    assert problems[0].startswith("booking-overlap: fixture appointment overlaps")
