"""``insurance_lookup``: plan acceptance for anyone; coverage and copays for the verified patient.

Whether the clinic accepts a plan is public, so anyone may ask before giving their identity.
A patient's coverage on file and the copay it sets for a visit are returned only after
``verify_patient`` succeeded in this call. Member ids are checked against the
payer's format before they are compared with anything.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints
from rapidfuzz import fuzz
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from clinic.models import Coverage, CoverageStatus, Payer, Plan, PlanCopay
from tools.availability import load_calendar
from tools.base import CallContext, InvalidArgument, ToolResult
from tools.common import (
    OptionalShortText,
    ToolArguments,
    audit,
    fold_text,
    load_clinic,
    run_in_transaction,
    verified_patient,
)
from tools.lookup import find_appointment_type
from tools.names import MATCH
from tools.speech import spoken_calendar_date, spoken_list, spoken_money, with_article

NAME = "insurance_lookup"

DESCRIPTION = (
    "Answer insurance questions. question=plan_acceptance: whether the clinic accepts an "
    "insurance plan; needs no verification, so use it for prospective patients too. "
    "question=coverage_on_file: the verified patient's insurance on their chart. "
    "question=copay: the verified patient's copay for a visit type under the plan on file. "
    "The last two need verify_patient first. Pass a member_id only if the caller read one out."
)


def _member_id(value: Any) -> Any:
    if isinstance(value, str):
        cleaned = re.sub(r"[\s-]", "", value).upper()
        return cleaned or None
    return value


MemberId = Annotated[
    Annotated[str, StringConstraints(min_length=1, max_length=40)] | None,
    BeforeValidator(_member_id),
]


class InsuranceLookupArguments(ToolArguments):
    question: Literal["plan_acceptance", "coverage_on_file", "copay"] = Field(
        description="plan_acceptance: does the clinic take this plan (no verification "
        "needed). coverage_on_file: what insurance the verified patient has on file. copay: "
        "what the verified patient pays for a visit type."
    )
    payer: OptionalShortText = Field(
        default=None,
        description="The insurance company as the caller said it ('Aetna', 'Blue Cross'). "
        "Needed for plan_acceptance.",
    )
    plan: OptionalShortText = Field(
        default=None,
        description="The plan name if the caller gave one ('Choice Plus', 'PPO').",
    )
    member_id: MemberId = Field(
        default=None,
        description="The member ID from the caller's insurance card, if they read it out; "
        "checked against the payer's format and the ID on file.",
    )
    appointment_type: OptionalShortText = Field(
        default=None,
        description="For copay: the visit type code or name ('follow_up', 'annual physical').",
    )


async def insurance_lookup(ctx: CallContext, args: InsuranceLookupArguments) -> ToolResult:
    """Answer one insurance question, returning patient details only after verification."""
    return await run_in_transaction(ctx, lambda session: _lookup(session, ctx, args))


def _lookup(session: Session, ctx: CallContext, args: InsuranceLookupArguments) -> ToolResult:
    if args.question == "plan_acceptance":
        return _plan_acceptance(session, args)
    if args.question == "coverage_on_file":
        return _coverage_on_file(session, ctx, args)
    return _copay(session, ctx, args)


_GENERIC_WORDS = {"health", "healthcare", "care", "insurance", "plan", "the", "of", "and"}


def payer_similarity(heard: str, name: str) -> float:
    """Score 0-100 how well the words a caller used name a payer.

    "united health care" must find UnitedHealthcare, not MVP Health Care, so the words are
    compared run together, by their distinctive words ("blue cross" for Blue Cross and
    Blue Shield of Vermont), and as the start of the name ("united").
    """
    heard_words, name_words = fold_text(heard).split(), fold_text(name).split()
    joined_heard, joined_name = "".join(heard_words), "".join(name_words)
    scores = [fuzz.ratio(joined_heard, joined_name)]
    distinctive = [w for w in heard_words if w not in _GENERIC_WORDS]
    if distinctive:
        name_distinctive = [w for w in name_words if w not in _GENERIC_WORDS]
        scores.append(fuzz.token_set_ratio(" ".join(distinctive), " ".join(name_distinctive)))
    if len(joined_heard) >= 4 and joined_name.startswith(joined_heard):
        scores.append(90.0)
    return float(max(scores))


def find_payer(session: Session, text: str) -> Payer | None:
    """Return the payer the caller named, or None when the clinic has no such payer.

    Raises:
        InvalidArgument: The words fit several payers equally well.
    """
    payers = session.scalars(select(Payer).options(selectinload(Payer.plans))).all()
    scored = [(payer_similarity(text, p.name), p) for p in payers]
    good = [(score, p) for score, p in scored if score >= MATCH]
    if not good:
        return None
    top = max(score for score, _ in good)
    tied = [p for score, p in good if score == top]
    if len(tied) > 1:
        names = spoken_list([p.name for p in tied], conjunction="or")
        raise InvalidArgument(f"Is that {names}?")
    return tied[0]


def find_plan(payer: Payer, text: str) -> Plan | None:
    """Return the payer's plan the words name, or None when none or several fit."""
    heard = fold_text(text)
    scored = [
        (max(fuzz.token_set_ratio(heard, fold_text(p.name)), fuzz.ratio(heard, p.plan_type)), p)
        for p in payer.plans
    ]
    good = [(score, p) for score, p in scored if score >= MATCH]
    if not good:
        return None
    top = max(score for score, _ in good)
    tied = [p for score, p in good if score == top]
    return tied[0] if len(tied) == 1 else None


def check_member_id(payer: Payer, member_id: str) -> None:
    """Check a member id against the payer's format.

    Raises:
        InvalidArgument: The id does not have the payer's format.
    """
    pattern = payer.member_id_pattern
    if pattern and re.fullmatch(pattern, member_id) is None:
        raise InvalidArgument(
            f"That member ID doesn't match the format {payer.name} uses. Could you read it "
            "to me again, one character at a time?"
        )


def _plan_acceptance(session: Session, args: InsuranceLookupArguments) -> ToolResult:
    if args.payer is None:
        raise InvalidArgument("Which insurance company is your plan with?")
    payer = find_payer(session, args.payer)
    if payer is None:
        return ToolResult(
            ok=True,
            message="I don't see that insurance company among the plans on our list. Our "
            "front desk can double-check it for you.",
            data={"accepted": False, "payer_known": False},
        )
    if args.member_id is not None:
        check_member_id(payer, args.member_id)
    plan = find_plan(payer, args.plan) if args.plan else None
    accepted = sorted(p.name for p in payer.plans if p.accepted)
    declined = sorted(p.name for p in payer.plans if not p.accepted)
    data: dict[str, Any] = {"payer": payer.name, "accepted_plans": accepted}
    if plan is not None:
        data |= {"plan": plan.name, "accepted": plan.accepted}
        if plan.accepted:
            message = f"Yes, we accept {plan.display_name}."
        else:
            message = f"I'm sorry, we don't accept {plan.display_name}."
        return ToolResult(ok=True, message=message, data=data)
    parts = []
    if accepted:
        parts.append(f"We accept these {payer.name} plans: {spoken_list(accepted)}.")
    if declined:
        parts.append(f"We don't accept {spoken_list(declined, conjunction='or')}.")
    if not accepted:
        parts.insert(0, f"We don't currently accept {payer.name} plans.")
    return ToolResult(ok=True, message=" ".join(parts), data=data)


def _active_coverages(session: Session, patient_id: int, today: date) -> list[Coverage]:
    return list(
        session.scalars(
            select(Coverage)
            .where(
                Coverage.patient_id == patient_id,
                Coverage.status == CoverageStatus.ACTIVE,
                Coverage.effective_from <= today,
                or_(Coverage.effective_to.is_(None), Coverage.effective_to >= today),
            )
            .options(selectinload(Coverage.plan).selectinload(Plan.payer))
            .order_by(Coverage.effective_from.desc())
        )
    )


def _coverage_on_file(
    session: Session, ctx: CallContext, args: InsuranceLookupArguments
) -> ToolResult:
    patient = verified_patient(session, ctx)
    today = load_calendar(session, load_clinic(session, ctx)).local(ctx.now()).date()
    coverages = _active_coverages(session, patient.id, today)
    audit(
        session,
        ctx,
        tool=NAME,
        action="read",
        resource="coverage",
        resource_id=coverages[0].id if coverages else None,
        patient_id=patient.id,
    )
    if not coverages:
        return ToolResult(
            ok=True,
            message="I don't see any active insurance on your chart. You can bring your "
            "card to your visit, or our front desk can add it.",
            data={"coverages": []},
        )
    coverage = coverages[0]
    plan = coverage.plan
    message = (
        f"You have {plan.display_name} on file, member ID ending in {coverage.member_id[-4:]}, "
        f"active since {spoken_calendar_date(coverage.effective_from)}. "
        + ("We accept this plan." if plan.accepted else "We don't currently accept this plan.")
    )
    data: dict[str, Any] = {
        "coverages": [
            {
                "coverage_id": c.id,
                "plan": c.plan.display_name,
                "accepted": c.plan.accepted,
                "member_id_last4": c.member_id[-4:],
            }
            for c in coverages
        ]
    }
    if args.member_id is not None:
        check_member_id(plan.payer, args.member_id)
        same = args.member_id == re.sub(r"[\s-]", "", coverage.member_id).upper()
        data["member_id_matches"] = same
        message += (
            " The member ID you read matches the one on file."
            if same
            else " The member ID you read is different from the one on file, so please "
            "bring your new card to your visit."
        )
    return ToolResult(ok=True, message=message, data=data)


def _copay(session: Session, ctx: CallContext, args: InsuranceLookupArguments) -> ToolResult:
    patient = verified_patient(session, ctx)
    if args.appointment_type is None:
        raise InvalidArgument("Which kind of visit is the copay for?")
    kind = find_appointment_type(session, args.appointment_type)
    today = load_calendar(session, load_clinic(session, ctx)).local(ctx.now()).date()
    coverages = _active_coverages(session, patient.id, today)
    audit(
        session,
        ctx,
        tool=NAME,
        action="read",
        resource="coverage",
        resource_id=coverages[0].id if coverages else None,
        patient_id=patient.id,
        detail={"appointment_type": kind.code},
    )
    if not coverages:
        return ToolResult(
            ok=True,
            message="I don't see any active insurance on your chart, so I can't tell you a "
            "copay. Our front desk can help with self-pay questions.",
            data={"copay_cents": None},
        )
    plan = coverages[0].plan
    if not plan.accepted:
        return ToolResult(
            ok=True,
            message=f"We don't currently accept {plan.display_name}, so I can't quote a "
            "copay. Our front desk can go over your options.",
            data={"copay_cents": None, "accepted": False},
        )
    copay = session.scalar(
        select(PlanCopay).where(
            PlanCopay.plan_id == plan.id, PlanCopay.appointment_type_id == kind.id
        )
    )
    if copay is None:
        return ToolResult(
            ok=True,
            message=f"I don't have the copay for {with_article(kind.name.lower())} under "
            "your plan on file. Our front desk can look it up for you.",
            data={"copay_cents": None},
        )
    visit = with_article(kind.name.lower())
    if copay.copay_cents == 0:
        message = f"With {plan.display_name}, there's no copay for {visit}."
    else:
        amount = spoken_money(copay.copay_cents)
        message = f"With {plan.display_name}, your copay for {visit} is {amount}."
    return ToolResult(
        ok=True,
        message=message,
        data={
            "copay_cents": copay.copay_cents,
            "plan": plan.display_name,
            "appointment_type": kind.code,
        },
    )
