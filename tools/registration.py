"""``register_new_patient``: open a chart for a caller who is not on file, for staff review.

It asks only what a chart needs to exist and be reached: name, date of birth and phone
number, plus the caller's insurance if they have the card at hand. The chart starts as
``pending_review`` and a registration-review task asks staff to check it; the caller counts
as verified for the rest of the call, so they can book a new-patient visit at once.

Registration first checks that nobody with that name and date of birth is on file, and says
so when someone is. That answer tells a caller as much as a verification would, so the
check is rationed like one: no registration after verification failed
:data:`tools.identity.MAX_FAILURES` times in the call, and at most
:data:`MAX_REGISTRATION_CHECKS` different names and dates of birth checked per call.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.models import (
    Call,
    Coverage,
    CoverageStatus,
    Patient,
    PatientStatus,
    Payer,
    Plan,
    StaffTask,
    TaskKind,
    TaskPriority,
)
from tools.availability import load_calendar
from tools.base import CallContext, InvalidArgument, RuleViolation, ToolResult
from tools.common import (
    IsoDate,
    Name,
    OptionalShortText,
    PhoneNumber,
    ToolArguments,
    audit,
    fold_text,
    load_clinic,
    propose,
    require_confirmation,
    run_in_transaction,
)
from tools.identity import MAX_FAILURES, verification_escalation
from tools.insurance import MemberId, check_member_id, find_payer, find_plan
from tools.names import MATCH, person_similarity
from tools.speech import spoken_calendar_date, spoken_date, spoken_phone

NAME = "register_new_patient"
MAX_AGE_YEARS = 120
REVIEW_BUSINESS_DAYS = 2
MAX_REGISTRATION_CHECKS = 3
"""Different names and dates of birth one call may check: a corrected name or date passes."""

DESCRIPTION = (
    "Create a chart for a caller who is not yet a patient, after verify_patient found no "
    "chart. Ask only for the patient's first and last name, date of birth and phone number, "
    "and their insurance company and member ID if they have the card. Call with "
    "confirmed=false and read the details back; call with confirmed=true after a yes. The "
    "new patient is then verified for this call and can book a new patient visit."
)


class RegisterNewPatientArguments(ToolArguments):
    first_name: Name = Field(description="The patient's legal first name.")
    last_name: Name = Field(description="The patient's legal last name.")
    date_of_birth: IsoDate = Field(description="The patient's date of birth as YYYY-MM-DD.")
    phone: PhoneNumber = Field(
        description="A phone number to reach the patient, with area code ('802-555-0100')."
    )
    preferred_language: Literal["en", "es"] = Field(
        default="en", description="The language the patient prefers: en or es."
    )
    insurance_payer: OptionalShortText = Field(
        default=None, description="The insurance company on the caller's card, if any."
    )
    insurance_plan: OptionalShortText = Field(
        default=None, description="The plan name on the card, if the caller read it."
    )
    insurance_member_id: MemberId = Field(
        default=None, description="The member ID on the card, if the caller read it."
    )
    confirmed: bool = Field(
        default=False,
        description="false to get the read-back; true only after the caller said yes to it.",
    )


async def register_new_patient(ctx: CallContext, args: RegisterNewPatientArguments) -> ToolResult:
    """Read back, then create, a chart pending staff review."""
    if ctx.verification_failures >= MAX_FAILURES:
        return verification_escalation()
    identity = (fold_text(args.first_name), fold_text(args.last_name), str(args.date_of_birth))
    if identity not in ctx.registration_checks:
        if len(ctx.registration_checks) >= MAX_REGISTRATION_CHECKS:
            return _too_many_checks()
        ctx.registration_checks.add(identity)
    return await run_in_transaction(ctx, lambda session: _register(session, ctx, args))


def _too_many_checks() -> ToolResult:
    return ToolResult(
        ok=False,
        error="too_many_attempts",
        escalate=True,
        message="I'm sorry, I can't finish the registration over the phone. Let me get you "
        "to someone at the front desk who can help.",
        data={"next_step": "Call transfer_to_human with reason identity_not_verified."},
    )


def _register(session: Session, ctx: CallContext, args: RegisterNewPatientArguments) -> ToolResult:
    calendar = load_calendar(session, load_clinic(session, ctx))
    today = calendar.local(ctx.now()).date()
    _check_birth_date(args.date_of_birth, today)
    _check_not_on_file(session, args)
    payer, plan = _insurance(session, args)
    proposal: dict[str, Any] = args.model_dump(mode="json", exclude={"confirmed"})
    proposal |= {"payer_id": payer.id if payer else None, "plan_id": plan.id if plan else None}
    if not args.confirmed:
        return propose(ctx, NAME, proposal, _read_back(args, payer), {"proposal": proposal})
    require_confirmation(ctx, NAME, proposal)

    patient = Patient(
        first_name=args.first_name,
        last_name=args.last_name,
        date_of_birth=args.date_of_birth,
        phone=args.phone,
        preferred_language=args.preferred_language,
        status=PatientStatus.PENDING_REVIEW,
        created_at=ctx.now(),
        created_by_call_id=ctx.call_id,
    )
    session.add(patient)
    session.flush()
    if plan is not None and args.insurance_member_id is not None:
        session.add(
            Coverage(
                patient_id=patient.id,
                plan_id=plan.id,
                member_id=args.insurance_member_id,
                subscriber_name=f"{args.first_name} {args.last_name}"[:200],
                effective_from=today,
                status=CoverageStatus.PENDING,
            )
        )
    session.add(_review_task(ctx, patient, args, payer, plan))
    audit(
        session,
        ctx,
        tool=NAME,
        action="create",
        resource="patient",
        resource_id=patient.id,
        patient_id=patient.id,
    )
    _mark_verified(session, ctx, patient)
    due = spoken_date(calendar.add_business_days(today, REVIEW_BUSINESS_DAYS))
    return ToolResult(
        ok=True,
        message=f"You're registered, {args.first_name}. Our staff will review your details "
        f"by {due}, and you can book a new patient visit now.",
        data={"patient_id": patient.id, "status": patient.status.value},
    )


def _check_birth_date(born: date, today: date) -> None:
    if born > today:
        raise InvalidArgument("That date of birth is in the future. Could you repeat it?")
    if today.year - born.year > MAX_AGE_YEARS:
        raise InvalidArgument("That date of birth seems too far back. Could you repeat it?")


def _check_not_on_file(session: Session, args: RegisterNewPatientArguments) -> None:
    """Refuse a second chart for someone already on file.

    The caller has just given the name and date of birth that verification asks for, so
    saying a chart exists tells them nothing ``verify_patient`` would not.
    """
    same_birthday = session.scalars(
        select(Patient).where(Patient.date_of_birth == args.date_of_birth)
    ).all()
    for patient in same_birthday:
        score = person_similarity(
            args.first_name, args.last_name, patient.first_name, patient.last_name
        )
        if score >= MATCH:
            raise RuleViolation(
                "It looks like we may already have a chart for you, so let me verify you instead.",
                data={"next_step": "Call verify_patient with the same name and date of birth."},
            )


def _insurance(
    session: Session, args: RegisterNewPatientArguments
) -> tuple[Payer | None, Plan | None]:
    if args.insurance_payer is None:
        if args.insurance_member_id is not None:
            raise InvalidArgument("Which insurance company is that member ID with?")
        return None, None
    payer = find_payer(session, args.insurance_payer)
    if payer is None:
        return None, None
    if args.insurance_member_id is not None:
        check_member_id(payer, args.insurance_member_id)
    plan = find_plan(payer, args.insurance_plan) if args.insurance_plan else None
    if plan is None and len(payer.plans) == 1:
        plan = payer.plans[0]
    return payer, plan


def _read_back(args: RegisterNewPatientArguments, payer: Payer | None) -> str:
    born = spoken_calendar_date(args.date_of_birth)
    text = (
        f"I have {args.first_name} {args.last_name}, born {born}, phone {spoken_phone(args.phone)}"
    )
    insurer = payer.name if payer else args.insurance_payer
    if insurer:
        text += f", with {insurer} insurance"
    return f"{text}. Is that all correct?"


def _review_task(
    ctx: CallContext,
    patient: Patient,
    args: RegisterNewPatientArguments,
    payer: Payer | None,
    plan: Plan | None,
) -> StaffTask:
    insurer = payer.name if payer else args.insurance_payer or "none given"
    plan_name = plan.name if plan else args.insurance_plan or "not given"
    member = args.insurance_member_id or "not given"
    return StaffTask(
        kind=TaskKind.REGISTRATION_REVIEW,
        priority=TaskPriority.NORMAL,
        title="Review a new patient registered by phone",
        details=f"Insurance: {insurer}; plan: {plan_name}; member ID: {member}.",
        reason="New patient registration",
        callback_number=args.phone,
        patient_id=patient.id,
        call_id=ctx.call_id,
        created_at=ctx.now(),
    )


def _mark_verified(session: Session, ctx: CallContext, patient: Patient) -> None:
    ctx.pending_confirmations.clear()
    ctx.verified_patient_id = patient.id
    if ctx.call_id is not None:
        call = session.get(Call, ctx.call_id)
        if call is not None:
            call.patient_id = patient.id
