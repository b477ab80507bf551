"""``verify_patient``: find the caller's chart from name and date of birth, or hand over.

The date of birth must match exactly, but the name may differ as speech-to-text spells it
(see :mod:`tools.names`). When several charts match, the phone number the caller gives, or
else the caller ID, may tell them apart. Otherwise the result is ambiguous and nothing is
guessed. Failure messages never say which part did not match, so a caller cannot probe
whether someone is a patient. After :data:`MAX_FAILURES` failed attempts, or at once when a
phone number still leaves two charts, the tool stops trying and asks for a transfer.

Failures count for the whole call. A success does not reset the count, because a caller who
knows one patient's details could otherwise verify as that patient between guesses at
another patient's date of birth and guess without limit.
"""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.models import Call, Patient, PatientStatus
from tools.base import CallContext, ToolResult
from tools.common import (
    IsoDate,
    Name,
    OptionalPhoneNumber,
    ToolArguments,
    audit,
    phone_digits,
    run_in_transaction,
)
from tools.names import MATCH, person_similarity

NAME = "verify_patient"
MAX_FAILURES = 2

DESCRIPTION = (
    "Verify the caller's identity before reading or changing anything about a patient. Ask "
    "for the patient's full name and date of birth, then call this. On success later tools "
    "act on this patient. If the result says the match is ambiguous, ask for the phone "
    "number on file and call again with it. After two failures it returns escalate=true: "
    "transfer the call and do not try again."
)


class VerifyPatientArguments(ToolArguments):
    first_name: Name = Field(description="The patient's first name as the caller said it.")
    last_name: Name = Field(description="The patient's last name as the caller said it.")
    date_of_birth: IsoDate = Field(description="The patient's date of birth as YYYY-MM-DD.")
    phone: OptionalPhoneNumber = Field(
        default=None,
        description="The phone number on the patient's chart, if the caller gave one. Only "
        "used to tell two matching charts apart.",
    )


async def verify_patient(ctx: CallContext, args: VerifyPatientArguments) -> ToolResult:
    """Match the caller to exactly one chart and remember it for this call."""
    if ctx.verification_failures >= MAX_FAILURES:
        return verification_escalation()
    result = await run_in_transaction(ctx, lambda session: _verify(session, ctx, args))
    if result.ok:
        return result
    ctx.verification_failures += 1
    # A phone number that still leaves two charts is the last tie-breaker there is.
    if result.error == "ambiguous" and args.phone is not None:
        ctx.verification_failures = MAX_FAILURES
    if ctx.verification_failures >= MAX_FAILURES:
        return verification_escalation()
    return result


def verification_escalation() -> ToolResult:
    """Return the result that ends identity checks in this call and asks for a transfer."""
    return ToolResult(
        ok=False,
        error="verification_failed",
        escalate=True,
        message="I'm sorry, I wasn't able to verify your identity over the phone. "
        "Let me get you to someone at the front desk who can help.",
        data={"next_step": "Call transfer_to_human with reason identity_not_verified."},
    )


def _verify(session: Session, ctx: CallContext, args: VerifyPatientArguments) -> ToolResult:
    candidates = session.scalars(
        select(Patient).where(
            Patient.date_of_birth == args.date_of_birth,
            Patient.status != PatientStatus.INACTIVE,
        )
    ).all()
    matches = [
        patient
        for patient in candidates
        if person_similarity(args.first_name, args.last_name, patient.first_name, patient.last_name)
        >= MATCH
    ]
    if len(matches) > 1:
        matches = _tie_break(matches, args.phone, ctx.caller_number)
        if len(matches) > 1:
            return _ambiguous()
    if not matches:
        return ToolResult(
            ok=False,
            error="verification_failed",
            message="I couldn't match those details to a chart. Could you spell your last "
            "name for me and repeat your date of birth?",
        )
    return _verified(session, ctx, matches[0])


def _tie_break(
    matches: list[Patient], phone: str | None, caller_number: str | None
) -> list[Patient]:
    """Keep the charts whose phone numbers include the given number, else the caller ID."""
    for number in (phone, caller_number):
        digits = phone_digits(number)
        if not digits:
            continue
        narrowed = [
            p for p in matches if digits in (phone_digits(p.phone), phone_digits(p.mobile_phone))
        ]
        if narrowed:
            return narrowed
    return matches


def _ambiguous() -> ToolResult:
    return ToolResult(
        ok=False,
        error="ambiguous",
        message="I found more than one chart that could be yours. What phone number do we "
        "have on file for you?",
        data={"next_step": "Ask for the phone number on file and call verify_patient again."},
    )


def _verified(session: Session, ctx: CallContext, patient: Patient) -> ToolResult:
    if ctx.verified_patient_id != patient.id:
        # Read-backs proposed for someone else must not be committed for this patient.
        ctx.pending_confirmations.clear()
    ctx.verified_patient_id = patient.id
    if ctx.call_id is not None:
        call = session.get(Call, ctx.call_id)
        if call is not None:
            call.patient_id = patient.id
    audit(
        session,
        ctx,
        tool=NAME,
        action="verify",
        resource="patient",
        resource_id=patient.id,
        patient_id=patient.id,
    )
    return ToolResult(
        ok=True,
        message=f"Thank you, {patient.first_name}. You're verified.",
        data={
            "patient_id": patient.id,
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "status": patient.status.value,
        },
    )
