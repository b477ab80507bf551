"""``transfer_to_human``: hand the call to the front desk, or take a message for a callback.

Always available, verified or not. When the clinic is open and has a transfer number (or
its after-hours policy sends calls to an answering service on that number), the result
carries the number and the telephony layer transfers the call. Otherwise the tool takes a
message: a callback task for staff with the reason, urgency and callback number, and the
caller hears when to expect the call. Either way the call is marked escalated.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlalchemy.orm import Session

from clinic.models import Call, Clinic, Patient, StaffTask, TaskKind, TaskPriority
from tools.availability import ClinicCalendar, load_calendar
from tools.base import CallContext, InvalidArgument, ToolResult
from tools.common import (
    OptionalLongText,
    OptionalPhoneNumber,
    OptionalShortText,
    ShortText,
    ToolArguments,
    audit,
    load_clinic,
    run_in_transaction,
)
from tools.speech import spoken_date, spoken_phone, spoken_time

NAME = "transfer_to_human"
ANSWERING_SERVICE_POLICY = "transfer_answering_service"
_PRIORITIES = {
    "normal": TaskPriority.NORMAL,
    "high": TaskPriority.HIGH,
    "urgent": TaskPriority.URGENT,
}

DESCRIPTION = (
    "Hand the caller to a person. Call it when the caller asks for a person, when identity "
    "cannot be verified, when the request is outside your tools (billing disputes, test "
    "results, clinical questions), when the caller is upset, or whenever you are unsure. "
    "Returns action=transfer with the number to transfer to, or, when nobody can take the "
    "call (clinic closed, no transfer line), action=message_taken after creating a callback "
    "task. For a message, ask first for a callback number if the caller ID may not reach "
    "them, and for the caller's name if they are not verified."
)


class TransferToHumanArguments(ToolArguments):
    reason: ShortText = Field(
        description="Why the call is handed over, in a few words for staff "
        "('caller asked for a person', 'billing dispute', 'identity not verified')."
    )
    urgency: Literal["normal", "high", "urgent"] = Field(
        default="normal",
        description="urgent for a medical concern that cannot wait for a callback, high if "
        "it should be handled today, otherwise normal.",
    )
    message: OptionalLongText = Field(
        default=None,
        description="What the caller wants staff to know, in their words, for the callback "
        "task or the person taking the transfer.",
    )
    callback_number: OptionalPhoneNumber = Field(
        default=None,
        description="A number to call the caller back on, if it is not the one they are "
        "calling from.",
    )
    caller_name: OptionalShortText = Field(
        default=None, description="The caller's name, if they are not verified."
    )


async def transfer_to_human(ctx: CallContext, args: TransferToHumanArguments) -> ToolResult:
    """Transfer the call to a person, or take a message when nobody can answer."""
    return await run_in_transaction(ctx, lambda session: _hand_off(session, ctx, args))


def _hand_off(session: Session, ctx: CallContext, args: TransferToHumanArguments) -> ToolResult:
    clinic = load_clinic(session, ctx)
    calendar = load_calendar(session, clinic)
    now = ctx.now()
    open_now = calendar.is_open(now)
    answering_service = clinic.after_hours_policy == ANSWERING_SERVICE_POLICY
    data: dict[str, Any] = {"reason": args.reason, "urgency": args.urgency}
    if clinic.transfer_number and (open_now or answering_service):
        _mark_escalated(session, ctx)
        data |= {"action": "transfer", "number": clinic.transfer_number}
        who = "our front desk" if open_now else "our after-hours answering service"
        return ToolResult(
            ok=True, message=f"I'll connect you with {who} now. One moment, please.", data=data
        )

    patient = session.get(Patient, ctx.verified_patient_id) if ctx.verified_patient_id else None
    number = args.callback_number or ctx.caller_number or (patient.phone if patient else None)
    if not number:
        raise InvalidArgument(
            "So someone can call you back, what's the best phone number to reach you?"
        )
    task = _callback_task(ctx, args, number, patient)
    session.add(task)
    session.flush()
    if patient is not None:
        audit(
            session,
            ctx,
            tool=NAME,
            action="create",
            resource="staff_task",
            resource_id=task.id,
            patient_id=patient.id,
            detail={"kind": TaskKind.CALLBACK.value, "urgency": args.urgency},
        )
    _mark_escalated(session, ctx)
    data |= {"action": "message_taken", "task_id": task.id, "callback_number": number}
    message = _message_taken_text(clinic, calendar, ctx, open_now, number, args.urgency)
    return ToolResult(ok=True, message=message, data=data)


def _callback_task(
    ctx: CallContext,
    args: TransferToHumanArguments,
    number: str,
    patient: Patient | None,
) -> StaffTask:
    name = patient.full_name if patient else args.caller_name or "caller not verified"
    details = f"Caller: {name}."
    if args.message:
        details += f" Message: {args.message}"
    return StaffTask(
        kind=TaskKind.CALLBACK,
        priority=_PRIORITIES[args.urgency],
        title=f"Call back: {args.reason}"[:200],
        details=details,
        reason=args.reason,
        callback_number=number,
        patient_id=patient.id if patient else None,
        call_id=ctx.call_id,
        created_at=ctx.now(),
    )


def _message_taken_text(
    clinic: Clinic,
    calendar: ClinicCalendar,
    ctx: CallContext,
    open_now: bool,
    number: str,
    urgency: str,
) -> str:
    now = ctx.now()
    opening = None if open_now else calendar.next_opening(now)
    if open_now:
        situation = "No one at the front desk can take the call right now, so I've taken"
        when = "as soon as someone is free"
    else:
        situation = "Our office is closed right now, so I've taken"
        when = "when we open"
        if opening is not None:
            today = calendar.local(now).date()
            day = "today" if opening.date() == today else spoken_date(opening.date())
            when = f"when we open, {day} at {spoken_time(opening)}"
    text = f"{situation} a message. Someone will call you back at {spoken_phone(number)} {when}."
    if urgency == "urgent" and not open_now and clinic.nurse_line:
        text += f" If it can't wait, our nurse line is {spoken_phone(clinic.nurse_line)}."
    return text


def _mark_escalated(session: Session, ctx: CallContext) -> None:
    if ctx.call_id is None:
        return
    call = session.get(Call, ctx.call_id)
    if call is not None:
        call.escalated = True
