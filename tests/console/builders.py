"""Rows the console tests need on top of the demo clinic: staff, calls and queue items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from clinic import calls
from clinic.db import transaction
from clinic.models import Call, CallOutcome, StaffRole, TaskKind, TaskPriority
from console.users import create_staff_user

PASSWORD = "correct horse battery staple"


def add_staff(
    factory: sessionmaker[Session],
    username: str,
    *,
    role: StaffRole = StaffRole.FRONT_DESK,
    password: str = PASSWORD,
    display_name: str | None = None,
) -> int:
    """Create a staff account and return its id."""
    with transaction(factory) as session:
        user = create_staff_user(
            session, username=username, password=password, role=role, display_name=display_name
        )
        return user.id


@dataclass
class Turn:
    speaker: str
    text: str
    offset: float
    interrupted: bool = False
    stt_confidence: float | None = None
    latency: dict[str, Any] | None = None


@dataclass
class Tool:
    name: str
    offset: float
    arguments: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    ok: bool = True
    error_code: str | None = None


_call_numbers = iter(range(1, 1_000_000))


def add_call(
    factory: sessionmaker[Session],
    *,
    started_at: datetime | None = None,
    seconds: float | None = 95,
    from_number: str | None = "+18025550142",
    patient_id: int | None = None,
    outcome: CallOutcome = CallOutcome.RESOLVED,
    escalated: bool = False,
    reason: str | None = "Book a follow-up",
    summary: str | None = "Caller booked a follow-up.",
    turns: list[Turn] | None = None,
    tools: list[Tool] | None = None,
    recording_path: str | None = None,
    flagged: bool = False,
    flag_note: str | None = None,
) -> int:
    """Record a call as the agent and telephony do, through ``clinic.calls``; return its id.

    ``seconds=None`` leaves the call in progress.
    """
    started = started_at or datetime.now(UTC) - timedelta(minutes=5)
    call_id = calls.start_call(
        factory,
        call_sid=f"CA{next(_call_numbers):032d}",
        channel="phone",
        from_number=from_number,
        to_number="+18025550100",
        now=started,
        brain="offline",
    )
    for turn in turns or []:
        calls.add_turn(
            factory,
            call_id=call_id,
            speaker=turn.speaker,
            text=turn.text,
            at=started + timedelta(seconds=turn.offset),
            stt_confidence=turn.stt_confidence,
            interrupted=turn.interrupted,
            latency=turn.latency,
        )
    for tool in tools or []:
        calls.add_tool_call(
            factory,
            call_id=call_id,
            tool_name=tool.name,
            arguments=tool.arguments,
            result=tool.result,
            ok=tool.ok,
            error_code=tool.error_code,
            at=started + timedelta(seconds=tool.offset),
            duration_ms=12.5,
        )
    if patient_id is not None:
        calls.set_call_patient(factory, call_id=call_id, patient_id=patient_id)
    if recording_path is not None:
        calls.set_recording_path(factory, call_id=call_id, path=recording_path)
    if seconds is not None:
        calls.finish_call(
            factory,
            call_id=call_id,
            outcome=outcome,
            summary=summary,
            ended_at=started + timedelta(seconds=seconds),
            escalated=escalated,
        )
    with transaction(factory) as session:
        call = session.get(Call, call_id)
        assert call is not None
        # No clinic.calls function writes these: the reason and an earlier staff flag.
        call.reason = reason
        call.flagged = flagged
        call.flag_note = flag_note
    return call_id


def booking_call(factory: sessionmaker[Session], *, patient_id: int, **overrides: Any) -> int:
    """Insert a realistic verified booking call with a barge-in and two tool calls."""
    turns = [
        Turn("agent", "Thank you for calling Maple Grove Family Medicine. How can I help?", 0),
        Turn(
            "caller",
            "Hi, I need to book a follow-up with Dr. Patel.",
            4,
            stt_confidence=0.93,
            latency={"transcript_ms": 310, "first_text_ms": 120, "first_audio_ms": 420},
        ),
        Turn(
            "agent",
            "I can help with that. May I have your full name and date of",
            6,
            interrupted=True,
        ),
        Turn("caller", "Margaret Chen, April twelfth 1958.", 9, stt_confidence=0.41),
        Turn(
            "agent",
            "Thanks, Margaret. Tuesday, March 10 at 9:15 AM with Dr. Patel. Shall I book it?",
            14,
            latency={"first_audio_ms": 650},
        ),
        Turn("caller", "Yes please.", 18, stt_confidence=0.97),
        Turn("agent", "You're booked. Anything else?", 20),
    ]
    tools = [
        Tool(
            "verify_patient",
            11,
            {"name": "Margaret Chen", "date_of_birth": "1958-04-12"},
            {"ok": True, "message": "Verified."},
        ),
        Tool(
            "book_appointment",
            19,
            {"start": "2026-03-10T09:15", "confirmed": True},
            {"ok": False, "error": "slot_taken"},
            ok=False,
            error_code="slot_taken",
        ),
    ]
    values: dict[str, Any] = {"patient_id": patient_id, "turns": turns, "tools": tools}
    values.update(overrides)
    return add_call(factory, **values)


def add_task(
    factory: sessionmaker[Session],
    *,
    kind: TaskKind = TaskKind.CALLBACK,
    priority: TaskPriority = TaskPriority.NORMAL,
    title: str = "Call back about a bill",
    created_at: datetime | None = None,
    patient_id: int | None = None,
    call_id: int | None = None,
    callback_number: str | None = "+18025550199",
    details: str | None = "Caller asked about a charge on their statement.",
) -> int:
    """Add an open queue item as the agent does and return its id."""
    return calls.create_staff_task(
        factory,
        kind=kind,
        priority=priority,
        title=title,
        now=created_at or datetime.now(UTC) - timedelta(minutes=30),
        details=details,
        reason="outside the agent's tools",
        callback_number=callback_number,
        patient_id=patient_id,
        call_id=call_id,
    )
