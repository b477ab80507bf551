"""Call records: the ``call`` row, its transcript and tool calls, staff tasks and audit events.

The agent session writes the conversation and its tool calls. Telephony adds the Twilio
status, speech-to-text confidence, latency per turn and the recording path. Each function
opens its own short transaction, so a record is written even when the rest of the call
fails. Nothing here logs transcript text or patient details: those stay in the database,
behind staff login.

Errors::

    CallRecordError      a call record could not be written
    └── CallNotFound     no ``call`` row with that id or call SID
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import transaction
from clinic.models import (
    AuditEvent,
    Call,
    CallOutcome,
    StaffTask,
    TaskKind,
    TaskPriority,
    ToolCallRecord,
    TranscriptTurn,
)

logger = logging.getLogger(__name__)

SPEAKERS = ("caller", "agent", "system")

# Rank of each outcome by how much it informs staff. A later finish replaces an outcome only
# with a higher-ranked one, so a transport's "dropped" never overwrites the agent's "resolved".
_OUTCOME_RANK: dict[CallOutcome, int] = {
    CallOutcome.IN_PROGRESS: 0,
    CallOutcome.ABANDONED: 1,
    CallOutcome.DROPPED: 1,
    CallOutcome.FAILED: 2,
    CallOutcome.RESOLVED: 3,
    CallOutcome.MESSAGE_TAKEN: 3,
    CallOutcome.TRANSFERRED: 3,
    CallOutcome.EMERGENCY: 4,
}


class CallRecordError(Exception):
    """A call record could not be written."""


class CallNotFound(CallRecordError):
    """No ``call`` row matches the id or call SID given."""


def _locked_call(session: Session, call_id: int) -> Call:
    # FOR UPDATE serialises writers of one call on PostgreSQL; SQLite's BEGIN IMMEDIATE
    # already serialises every writer, and SQLAlchemy leaves the clause out there.
    call = session.scalar(select(Call).where(Call.id == call_id).with_for_update())
    if call is None:
        raise CallNotFound(f"No call with id {call_id}; create it with start_call first.")
    return call


def start_call(
    session_factory: sessionmaker[Session],
    *,
    call_sid: str,
    channel: str,
    from_number: str | None,
    to_number: str | None,
    now: datetime,
    brain: str | None = None,
    model: str | None = None,
) -> int:
    """Create the ``call`` row for a new call and return its id.

    Args:
        call_sid: Twilio's CallSid, or a generated id for chat and eval calls; unique.
        channel: "phone", "chat" or "eval".
        from_number: The caller ID, E.164, when known.
        to_number: The number dialled, E.164, when known.
        now: The call's start (timezone-aware).
        brain: The brain generating replies ("llm" or "offline"), when already chosen.
        model: The LLM model name, for the LLM brain.
    """
    with transaction(session_factory) as session:
        call = Call(
            call_sid=call_sid,
            channel=channel,
            from_number=from_number,
            to_number=to_number,
            started_at=now,
            outcome=CallOutcome.IN_PROGRESS,
            brain=brain,
            model=model,
        )
        session.add(call)
        session.flush()
        call_id = call.id
    logger.debug("Call record started", extra={"call_id": call_id, "call_sid": call_sid})
    return call_id


def add_turn(
    session_factory: sessionmaker[Session],
    *,
    call_id: int,
    speaker: str,
    text: str,
    at: datetime,
    stt_confidence: float | None = None,
    interrupted: bool = False,
    latency: dict[str, Any] | None = None,
) -> int:
    """Append a transcript turn and return its id.

    Turns are numbered 1, 2, 3... per call in the order their transactions commit, also when
    the agent and telephony append to one call concurrently.

    Args:
        speaker: "caller", "agent" or "system".
        text: The words spoken; for an interrupted agent turn, only what the caller heard.
            NUL characters are dropped, because PostgreSQL text columns cannot hold them
            and a chat client may send them.
        at: When the turn started.
        stt_confidence: The speech-to-text confidence of a caller turn, 0 to 1.
        interrupted: Whether the caller barged in on this agent turn.
        latency: Timings of the turn in milliseconds, such as ``{"first_audio_ms": 420}``.

    Raises:
        ValueError: For an unknown speaker.
        CallNotFound: When no call has ``call_id``.
    """
    if speaker not in SPEAKERS:
        raise ValueError(f"Invalid speaker {speaker!r}; expected one of {', '.join(SPEAKERS)}.")
    with transaction(session_factory) as session:
        _locked_call(session, call_id)
        last_seq = session.scalar(
            select(func.max(TranscriptTurn.seq)).where(TranscriptTurn.call_id == call_id)
        )
        turn = TranscriptTurn(
            call_id=call_id,
            seq=(last_seq or 0) + 1,
            speaker=speaker,
            text=text.replace("\x00", ""),
            at=at,
            stt_confidence=stt_confidence,
            interrupted=interrupted,
            latency=latency,
        )
        session.add(turn)
        session.flush()
        return turn.id


def update_turn_latency(
    session_factory: sessionmaker[Session], *, turn_id: int, latency: dict[str, Any]
) -> None:
    """Merge timings into a turn's latency, such as first audio measured after the text.

    Raises:
        CallRecordError: When no turn has ``turn_id``.
    """
    with transaction(session_factory) as session:
        turn = session.get(TranscriptTurn, turn_id, with_for_update=True)
        if turn is None:
            raise CallRecordError(f"No transcript turn with id {turn_id}.")
        # A new dict, because SQLAlchemy does not see changes inside a JSON value.
        turn.latency = {**(turn.latency or {}), **latency}


def add_tool_call(
    session_factory: sessionmaker[Session],
    *,
    call_id: int,
    tool_name: str,
    arguments: dict[str, Any],
    result: dict[str, Any],
    ok: bool,
    error_code: str | None,
    at: datetime,
    duration_ms: float,
) -> int:
    """Record one tool call of the agent with its arguments and result; return its id.

    Tool calls are numbered per call like transcript turns.

    Raises:
        CallNotFound: When no call has ``call_id``.
    """
    with transaction(session_factory) as session:
        _locked_call(session, call_id)
        last_seq = session.scalar(
            select(func.max(ToolCallRecord.seq)).where(ToolCallRecord.call_id == call_id)
        )
        record = ToolCallRecord(
            call_id=call_id,
            seq=(last_seq or 0) + 1,
            tool_name=tool_name,
            arguments=arguments,
            result=result,
            ok=ok,
            error_code=error_code,
            at=at,
            duration_ms=duration_ms,
        )
        session.add(record)
        session.flush()
        return record.id


def set_call_patient(
    session_factory: sessionmaker[Session], *, call_id: int, patient_id: int
) -> None:
    """Link the call to the patient whose identity the caller verified.

    Raises:
        CallNotFound: When no call has ``call_id``.
    """
    with transaction(session_factory) as session:
        _locked_call(session, call_id).patient_id = patient_id


def set_call_brain(
    session_factory: sessionmaker[Session], *, call_id: int, brain: str, model: str | None
) -> None:
    """Record which brain generates replies, for instance after a fallback to the offline one.

    Raises:
        CallNotFound: When no call has ``call_id``.
    """
    with transaction(session_factory) as session:
        call = _locked_call(session, call_id)
        call.brain = brain
        call.model = model


def set_stream_sid(
    session_factory: sessionmaker[Session], *, call_id: int, stream_sid: str
) -> None:
    """Record the Twilio Media Streams StreamSid of the call.

    Raises:
        CallNotFound: When no call has ``call_id``.
    """
    with transaction(session_factory) as session:
        _locked_call(session, call_id).stream_sid = stream_sid


def set_recording_path(session_factory: sessionmaker[Session], *, call_id: int, path: str) -> None:
    """Record where the call's audio recording was saved.

    Raises:
        CallNotFound: When no call has ``call_id``.
    """
    with transaction(session_factory) as session:
        _locked_call(session, call_id).recording_path = path


def set_twilio_status(session_factory: sessionmaker[Session], *, call_sid: str, status: str) -> int:
    """Store the latest CallStatus Twilio reported for a call and return the call's id.

    Raises:
        CallNotFound: When no call has ``call_sid``, such as a status callback for a call
            this deployment never handled.
    """
    with transaction(session_factory) as session:
        call = session.scalar(select(Call).where(Call.call_sid == call_sid).with_for_update())
        if call is None:
            raise CallNotFound(f"No call with call SID {call_sid!r}.")
        call.twilio_status = status
        return call.id


def finish_call(
    session_factory: sessionmaker[Session],
    *,
    call_id: int,
    outcome: CallOutcome,
    summary: str | None,
    ended_at: datetime,
    escalated: bool,
) -> CallOutcome:
    """Close the call record; safe to call more than once, and from several places.

    A later call replaces the outcome and summary only with a more telling outcome (for
    instance "transferred" over "dropped", never "dropped" over "resolved"). The first end
    time is kept, and ``escalated`` once set stays set.

    Args:
        outcome: How the call ended; ``IN_PROGRESS`` is rejected.
        summary: A short summary for staff; it fills an empty summary even when the
            outcome is not replaced.
        ended_at: When the call ended.
        escalated: Whether the call was handed to a person.

    Returns:
        The outcome stored after this call.

    Raises:
        ValueError: When ``outcome`` is ``IN_PROGRESS``.
        CallNotFound: When no call has ``call_id``.
    """
    if outcome is CallOutcome.IN_PROGRESS:
        raise ValueError("Invalid outcome in_progress for a finished call.")
    with transaction(session_factory) as session:
        call = _locked_call(session, call_id)
        if _OUTCOME_RANK[outcome] > _OUTCOME_RANK[call.outcome]:
            call.outcome = outcome
            if summary:
                call.summary = summary
        elif summary and not call.summary:
            call.summary = summary
        if call.ended_at is None:
            call.ended_at = ended_at
        call.escalated = call.escalated or escalated
        final = call.outcome
        final_escalated = call.escalated
    logger.debug(
        "Call record closed",
        extra={"call_id": call_id, "outcome": final.value, "escalated": final_escalated},
    )
    return final


def add_staff_task(
    session: Session,
    *,
    kind: TaskKind,
    priority: TaskPriority,
    title: str,
    now: datetime,
    details: str | None = None,
    reason: str | None = None,
    callback_number: str | None = None,
    patient_id: int | None = None,
    call_id: int | None = None,
    refill_request_id: int | None = None,
) -> StaffTask:
    """Add a task to the front-office queue inside the caller's transaction.

    Use it when the task must commit together with other rows, such as a refill request.
    """
    task = StaffTask(
        kind=kind,
        priority=priority,
        title=title,
        details=details,
        reason=reason,
        callback_number=callback_number,
        patient_id=patient_id,
        call_id=call_id,
        refill_request_id=refill_request_id,
        created_at=now,
    )
    session.add(task)
    session.flush()
    return task


def create_staff_task(
    session_factory: sessionmaker[Session],
    *,
    kind: TaskKind,
    priority: TaskPriority,
    title: str,
    now: datetime,
    details: str | None = None,
    reason: str | None = None,
    callback_number: str | None = None,
    patient_id: int | None = None,
    call_id: int | None = None,
    refill_request_id: int | None = None,
) -> int:
    """Add a task to the front-office queue in its own transaction and return its id.

    Args:
        kind: What staff must do (call back, review a refill...).
        priority: ``URGENT`` for emergencies; staff see those first.
        title: One line for the queue, such as "Call back about billing".
        now: The creation time.
        details: The message taken or the context staff need.
        reason: Why Frontdesk handed over, such as "caller asked for a person".
        callback_number: The number to call back, E.164.
        patient_id: The verified patient, if any.
        call_id: The call it came from, if any.
        refill_request_id: The refill request it concerns, if any.
    """
    with transaction(session_factory) as session:
        task = add_staff_task(
            session,
            kind=kind,
            priority=priority,
            title=title,
            now=now,
            details=details,
            reason=reason,
            callback_number=callback_number,
            patient_id=patient_id,
            call_id=call_id,
            refill_request_id=refill_request_id,
        )
        task_id = task.id
    logger.debug(
        "Staff task created",
        extra={
            "task_id": task_id,
            "kind": kind.value,
            "priority": priority.value,
            "call_id": call_id,
        },
    )
    return task_id


def add_audit_event(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    resource: str,
    resource_id: int | None = None,
    patient_id: int | None = None,
    call_id: int | None = None,
    staff_user_id: int | None = None,
    tool_name: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event inside the caller's transaction, so it commits with the change."""
    event = AuditEvent(
        at=at,
        actor=actor,
        action=action,
        resource=resource,
        resource_id=resource_id,
        patient_id=patient_id,
        call_id=call_id,
        staff_user_id=staff_user_id,
        tool_name=tool_name,
        detail=detail,
    )
    session.add(event)
    session.flush()
    return event


def record_audit(
    session_factory: sessionmaker[Session],
    *,
    at: datetime,
    actor: str,
    action: str,
    resource: str,
    resource_id: int | None = None,
    patient_id: int | None = None,
    call_id: int | None = None,
    staff_user_id: int | None = None,
    tool_name: str | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Record who read or changed which record, in its own transaction; return the event id.

    Args:
        at: When it happened.
        actor: "agent", "staff:<username>" or "system".
        action: "read", "create", "update", "cancel", "login"...
        resource: The kind of record: "patient", "appointment", "coverage"...
        resource_id: The record's id.
        patient_id: The patient the record belongs to.
        call_id: The call the action came from.
        staff_user_id: The staff user who acted.
        tool_name: The agent tool that acted.
        detail: Extra facts; ids and codes, not free text about the patient.
    """
    with transaction(session_factory) as session:
        event = add_audit_event(
            session,
            at=at,
            actor=actor,
            action=action,
            resource=resource,
            resource_id=resource_id,
            patient_id=patient_id,
            call_id=call_id,
            staff_user_id=staff_user_id,
            tool_name=tool_name,
            detail=detail,
        )
        return event.id
