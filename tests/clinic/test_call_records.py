"""Call records: starting, transcript numbering, idempotent finish, tasks and audit."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from clinic.calls import (
    CallNotFound,
    CallRecordError,
    add_tool_call,
    add_turn,
    create_staff_task,
    finish_call,
    record_audit,
    set_call_brain,
    set_call_patient,
    set_recording_path,
    set_stream_sid,
    set_twilio_status,
    start_call,
    update_turn_latency,
)
from clinic.models import (
    AuditEvent,
    Call,
    CallOutcome,
    StaffTask,
    TaskKind,
    TaskPriority,
    TaskStatus,
    ToolCallRecord,
    TranscriptTurn,
)


@pytest.fixture
def call_id(session_factory, demo) -> int:
    return start_call(
        session_factory,
        call_sid="CA0123456789abcdef0123456789abcdef",
        channel="phone",
        from_number="+18025550142",
        to_number="+18025550100",
        now=demo.now,
    )


def test_start_call_creates_in_progress_row(session_factory, demo, call_id):
    with session_factory() as session:
        call = session.get(Call, call_id)
    assert call is not None
    assert call.outcome is CallOutcome.IN_PROGRESS
    assert call.started_at == demo.now
    assert call.from_number == "+18025550142"
    assert call.ended_at is None


def test_turns_numbered_in_order(session_factory, demo, call_id):
    first = add_turn(
        session_factory,
        call_id=call_id,
        speaker="agent",
        text="Maple Grove, how can I help?",
        at=demo.now,
    )
    second = add_turn(
        session_factory,
        call_id=call_id,
        speaker="caller",
        text="I need a refill.",
        at=demo.now + timedelta(seconds=3),
        stt_confidence=0.91,
    )
    with session_factory() as session:
        turns = session.scalars(
            select(TranscriptTurn)
            .where(TranscriptTurn.call_id == call_id)
            .order_by(TranscriptTurn.seq)
        ).all()
    assert [turn.id for turn in turns] == [first, second]
    assert [turn.seq for turn in turns] == [1, 2]
    assert turns[1].stt_confidence == pytest.approx(0.91)


def test_concurrent_turns_get_unique_seq(session_factory, demo, call_id):
    threads_count, turns_each = 4, 6
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            for index in range(turns_each):
                add_turn(
                    session_factory,
                    call_id=call_id,
                    speaker="system",
                    text=f"worker {worker} turn {index}",
                    at=demo.now,
                )
        except Exception as error:  # a thread cannot fail the test, so the assert below does
            errors.append(error)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with session_factory() as session:
        seqs = session.scalars(
            select(TranscriptTurn.seq)
            .where(TranscriptTurn.call_id == call_id)
            .order_by(TranscriptTurn.seq)
        ).all()
    assert seqs == list(range(1, threads_count * turns_each + 1))


def test_add_turn_rejects_unknown_call(session_factory, demo):
    with pytest.raises(CallNotFound):
        add_turn(session_factory, call_id=999_999, speaker="caller", text="hello", at=demo.now)


def test_add_turn_rejects_unknown_speaker(session_factory, demo, call_id):
    with pytest.raises(ValueError, match="speaker"):
        add_turn(session_factory, call_id=call_id, speaker="robot", text="hi", at=demo.now)


def test_update_turn_latency_merges(session_factory, demo, call_id):
    turn_id = add_turn(
        session_factory,
        call_id=call_id,
        speaker="agent",
        text="Sure.",
        at=demo.now,
        latency={"first_text_ms": 120},
    )
    update_turn_latency(session_factory, turn_id=turn_id, latency={"first_audio_ms": 410})
    with session_factory() as session:
        turn = session.get(TranscriptTurn, turn_id)
    assert turn is not None
    assert turn.latency == {"first_text_ms": 120, "first_audio_ms": 410}


def test_update_latency_unknown_turn(session_factory):
    with pytest.raises(CallRecordError):
        update_turn_latency(session_factory, turn_id=999_999, latency={"first_audio_ms": 1})


def test_tool_calls_numbered_per_call(session_factory, demo, call_id):
    for name in ("verify_patient", "find_open_slots"):
        add_tool_call(
            session_factory,
            call_id=call_id,
            tool_name=name,
            arguments={"a": 1},
            result={"ok": True},
            ok=True,
            error_code=None,
            at=demo.now,
            duration_ms=3.5,
        )
    with session_factory() as session:
        records = session.scalars(
            select(ToolCallRecord)
            .where(ToolCallRecord.call_id == call_id)
            .order_by(ToolCallRecord.seq)
        ).all()
    assert [(r.seq, r.tool_name) for r in records] == [
        (1, "verify_patient"),
        (2, "find_open_slots"),
    ]


def test_call_setters_store_values(session_factory, demo, call_id):
    set_call_patient(session_factory, call_id=call_id, patient_id=demo.established_patient.id)
    set_call_brain(session_factory, call_id=call_id, brain="offline", model=None)
    set_stream_sid(session_factory, call_id=call_id, stream_sid="MZ0123")
    set_recording_path(session_factory, call_id=call_id, path="var/recordings/call.wav")
    returned_id = set_twilio_status(
        session_factory, call_sid="CA0123456789abcdef0123456789abcdef", status="in-progress"
    )
    with session_factory() as session:
        call = session.get(Call, call_id)
    assert call is not None
    assert returned_id == call_id
    assert call.patient_id == demo.established_patient.id
    assert call.brain == "offline"
    assert call.stream_sid == "MZ0123"
    assert call.recording_path == "var/recordings/call.wav"
    assert call.twilio_status == "in-progress"


def test_twilio_status_unknown_sid(session_factory):
    with pytest.raises(CallNotFound):
        set_twilio_status(session_factory, call_sid="CAunknown", status="completed")


def test_finish_call_is_idempotent(session_factory, demo, call_id):
    ended = demo.now + timedelta(minutes=3)
    first = finish_call(
        session_factory,
        call_id=call_id,
        outcome=CallOutcome.RESOLVED,
        summary="Booked a follow-up.",
        ended_at=ended,
        escalated=False,
    )
    # The transport reports the hang-up afterwards; it must not overwrite the real outcome.
    second = finish_call(
        session_factory,
        call_id=call_id,
        outcome=CallOutcome.DROPPED,
        summary=None,
        ended_at=ended + timedelta(seconds=5),
        escalated=False,
    )
    with session_factory() as session:
        call = session.get(Call, call_id)
    assert call is not None
    assert first is CallOutcome.RESOLVED
    assert second is CallOutcome.RESOLVED
    assert call.outcome is CallOutcome.RESOLVED
    assert call.summary == "Booked a follow-up."
    assert call.ended_at == ended


def test_finish_call_upgrades_weaker_outcome(session_factory, demo, call_id):
    finish_call(
        session_factory,
        call_id=call_id,
        outcome=CallOutcome.DROPPED,
        summary=None,
        ended_at=demo.now,
        escalated=False,
    )
    final = finish_call(
        session_factory,
        call_id=call_id,
        outcome=CallOutcome.TRANSFERRED,
        summary="Transferred to the front desk.",
        ended_at=demo.now,
        escalated=True,
    )
    third = finish_call(
        session_factory,
        call_id=call_id,
        outcome=CallOutcome.ABANDONED,
        summary="ignored",
        ended_at=demo.now,
        escalated=False,
    )
    with session_factory() as session:
        call = session.get(Call, call_id)
    assert call is not None
    assert final is CallOutcome.TRANSFERRED
    assert third is CallOutcome.TRANSFERRED
    assert call.summary == "Transferred to the front desk."
    assert call.escalated is True


def test_finish_call_rejects_in_progress(session_factory, demo, call_id):
    with pytest.raises(ValueError, match="in_progress"):
        finish_call(
            session_factory,
            call_id=call_id,
            outcome=CallOutcome.IN_PROGRESS,
            summary=None,
            ended_at=demo.now,
            escalated=False,
        )


def test_staff_task_and_audit(session_factory, demo, call_id):
    task_id = create_staff_task(
        session_factory,
        kind=TaskKind.CALLBACK,
        priority=TaskPriority.NORMAL,
        title="Call back about a bill",
        now=demo.now,
        reason="billing question",
        callback_number="+18025550142",
        patient_id=demo.established_patient.id,
        call_id=call_id,
    )
    event_id = record_audit(
        session_factory,
        at=demo.now,
        actor="agent",
        action="read",
        resource="patient",
        resource_id=demo.established_patient.id,
        patient_id=demo.established_patient.id,
        call_id=call_id,
        tool_name="verify_patient",
    )
    with session_factory() as session:
        task = session.get(StaffTask, task_id)
        event = session.get(AuditEvent, event_id)
    assert task is not None
    assert task.status is TaskStatus.OPEN
    assert task.call_id == call_id
    assert event is not None
    assert event.tool_name == "verify_patient"
    assert event.patient_id == demo.established_patient.id
