"""``request_refill``: route a refill request to the right queue. It never approves one.

Only a prescriber approves a refill, outside Frontdesk, and :class:`clinic.models.RefillStatus`
has no "approved" value for this tool to set. Routing:

- a refillable prescription on the chart goes to the prescriber's queue (``queued``);
- a controlled substance, an inactive prescription or a medication not on the chart goes
  to staff review (``staff_review``) with a staff task;
- a prescription with no refills left becomes a renewal request (``renewal_requested``)
  with a staff task, because the prescriber must write a new prescription.

Urgent requests in the prescriber's queue also get a staff task so that someone watches
them. The caller always hears what happens next and by when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import Field
from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.models import (
    Patient,
    Pharmacy,
    Prescription,
    RefillRequest,
    RefillStatus,
    StaffTask,
    TaskKind,
    TaskPriority,
)
from tools.availability import load_calendar
from tools.base import CallContext, InvalidArgument, ToolResult
from tools.common import (
    OptionalShortText,
    ShortText,
    ToolArguments,
    audit,
    fold_text,
    load_clinic,
    propose,
    require_confirmation,
    run_in_transaction,
    verified_patient,
)
from tools.names import MATCH, name_similarity
from tools.speech import spoken_date, spoken_list, spoken_units

NAME = "request_refill"
REVIEW_BUSINESS_DAYS = {"routine": 2, "soon": 2, "urgent": 1}
"""Business days within which the clinic's staff handle a request, by urgency.

NOTE: the same for every clinic; the clinic table has no column for it yet."""
DUPLICATE_WINDOW = timedelta(days=7)
OPEN_STATUSES = (RefillStatus.QUEUED, RefillStatus.STAFF_REVIEW, RefillStatus.RENEWAL_REQUESTED)

DESCRIPTION = (
    "Request a prescription refill for the verified patient. It never approves a refill: it "
    "sends the request to the prescriber's queue or to staff review (controlled substances, "
    "medications not on file) or asks for a renewal (no refills left), and its message says "
    "what happens next and by when. Call with confirmed=false first and read the message "
    "back; call again with confirmed=true after the caller says yes. Never promise approval."
)


class RequestRefillArguments(ToolArguments):
    medication: ShortText = Field(
        description="The medication as the caller named it, with the strength if they said "
        "it ('lisinopril 10 milligrams')."
    )
    pharmacy: OptionalShortText = Field(
        default=None,
        description="The pharmacy the caller wants it sent to, by name and street if given. "
        "Omit to use the pharmacy on file for the prescription.",
    )
    urgency: Literal["routine", "soon", "urgent"] = Field(
        default="routine",
        description="urgent if the caller is out of the medication or runs out within a day; "
        "soon if within a week; otherwise routine.",
    )
    confirmed: bool = Field(
        default=False,
        description="false to get the read-back; true only after the caller said yes to it.",
    )


@dataclass(frozen=True)
class Route:
    """The queue a request goes to, and the reason in words for staff and for the caller."""

    status: RefillStatus
    reason: str
    needs_task: bool
    caller_text: str


async def request_refill(ctx: CallContext, args: RequestRefillArguments) -> ToolResult:
    """Read back, then file, a refill request for the verified patient."""
    return await run_in_transaction(ctx, lambda session: _request(session, ctx, args))


def _request(session: Session, ctx: CallContext, args: RequestRefillArguments) -> ToolResult:
    patient = verified_patient(session, ctx, for_update=True)
    calendar = load_calendar(session, load_clinic(session, ctx))
    prescription = _match_prescription(session, patient, args.medication)
    pharmacy = _match_pharmacy(session, args.pharmacy) if args.pharmacy else None
    if pharmacy is None and args.pharmacy is None and prescription is not None:
        pharmacy = prescription.pharmacy
    medication = _medication_name(prescription, args.medication)
    duplicate = _open_request(session, patient, prescription, medication, ctx)
    if duplicate is not None:
        audit(
            session,
            ctx,
            tool=NAME,
            action="read",
            resource="refill_request",
            resource_id=duplicate.id,
            patient_id=patient.id,
        )
        return _already_requested(calendar.local(duplicate.created_at).date(), medication)

    days = REVIEW_BUSINESS_DAYS[args.urgency]
    due = calendar.add_business_days(calendar.local(ctx.now()).date(), days)
    route = _route(prescription, medication, due, days)
    where = f", to be sent to {_pharmacy_place(pharmacy)}" if pharmacy else ""
    if pharmacy is None and args.pharmacy:
        where = f", to be sent to {args.pharmacy}"
    proposal = {
        "prescription_id": prescription.id if prescription else None,
        "medication": fold_text(medication),
        "pharmacy_id": pharmacy.id if pharmacy else None,
        "pharmacy_text": None if pharmacy else args.pharmacy,
        "urgency": args.urgency,
        "status": route.status.value,
    }
    if not args.confirmed:
        audit(
            session,
            ctx,
            tool=NAME,
            action="read",
            resource="prescription",
            resource_id=prescription.id if prescription else None,
            patient_id=patient.id,
        )
        message = f"A refill request for {medication}{where}. {route.caller_text} Shall I send it?"
        return propose(ctx, NAME, proposal, message, {"proposal": proposal})
    require_confirmation(ctx, NAME, proposal)
    request = _file(session, ctx, patient, prescription, pharmacy, args, medication, route)
    return ToolResult(
        ok=True,
        message=f"Done: I've sent the request for {medication}. {route.caller_text}",
        data={"refill_request_id": request.id, "status": route.status.value},
    )


def _route(prescription: Prescription | None, medication: str, due: date, days: int) -> Route:
    by = spoken_date(due)
    if prescription is None:
        return Route(
            RefillStatus.STAFF_REVIEW,
            "Medication not found on the chart",
            True,
            f"I don't see {medication} on your chart, so our staff will review the request "
            f"and call you back by {by}.",
        )
    prescriber = prescription.prescriber.display_name
    if prescription.controlled_schedule:
        return Route(
            RefillStatus.STAFF_REVIEW,
            f"Controlled substance, schedule {prescription.controlled_schedule}",
            True,
            f"Because {medication} is a controlled medication, our staff review every refill "
            f"request for it with {prescriber} and will call you back by {by}.",
        )
    if not prescription.active:
        return Route(
            RefillStatus.STAFF_REVIEW,
            "Prescription is no longer active",
            True,
            f"That prescription is no longer active, so our staff will review the request "
            f"with {prescriber} and call you back by {by}.",
        )
    if prescription.refills_left <= 0:
        return Route(
            RefillStatus.RENEWAL_REQUESTED,
            "No refills left; renewal needed",
            True,
            f"There are no refills left on it, so this asks {prescriber} to renew the "
            f"prescription. {prescriber} may want to see you first; our staff will call you "
            f"by {by} either way.",
        )
    return Route(
        RefillStatus.QUEUED,
        "Refillable prescription on file",
        False,
        f"It goes to {prescriber}'s refill queue, which is reviewed within "
        f"{_business_days(days)}, so by {by}. The pharmacy lets you know when it's ready.",
    )


def _business_days(count: int) -> str:
    words = {1: "one business day", 2: "two business days", 3: "three business days"}
    return words.get(count, f"{count} business days")


def _file(
    session: Session,
    ctx: CallContext,
    patient: Patient,
    prescription: Prescription | None,
    pharmacy: Pharmacy | None,
    args: RequestRefillArguments,
    medication: str,
    route: Route,
) -> RefillRequest:
    request = RefillRequest(
        patient_id=patient.id,
        prescription_id=prescription.id if prescription else None,
        prescriber_id=prescription.prescriber_id if prescription else None,
        medication_text=medication[:200],
        pharmacy_id=pharmacy.id if pharmacy else None,
        pharmacy_text=None if pharmacy else args.pharmacy,
        urgency=args.urgency,
        status=route.status,
        route_reason=route.reason,
        call_id=ctx.call_id,
        created_at=ctx.now(),
    )
    session.add(request)
    session.flush()
    if route.needs_task or args.urgency == "urgent":
        session.add(
            StaffTask(
                kind=TaskKind.REFILL_REVIEW,
                priority=TaskPriority.HIGH if args.urgency == "urgent" else TaskPriority.NORMAL,
                title=f"Refill: {route.reason}"[:200],
                details=f"Medication: {medication}. Pharmacy: "
                f"{pharmacy.name if pharmacy else args.pharmacy or 'not given'}. "
                f"Urgency: {args.urgency}.",
                reason=route.reason,
                callback_number=ctx.caller_number or patient.phone,
                patient_id=patient.id,
                call_id=ctx.call_id,
                refill_request_id=request.id,
                created_at=ctx.now(),
            )
        )
    audit(
        session,
        ctx,
        tool=NAME,
        action="create",
        resource="refill_request",
        resource_id=request.id,
        patient_id=patient.id,
        detail={"status": route.status.value, "prescription_id": request.prescription_id},
    )
    return request


def _medication_name(prescription: Prescription | None, spoken: str) -> str:
    if prescription is None:
        return spoken
    return f"{prescription.drug_name} {spoken_units(prescription.strength)}".strip()


def _match_prescription(session: Session, patient: Patient, text: str) -> Prescription | None:
    """Return the patient's prescription the caller named, or None if none matches.

    Raises:
        InvalidArgument: Two active prescriptions of the drug match and the words do not
            say which strength.
    """
    prescriptions = session.scalars(
        select(Prescription).where(Prescription.patient_id == patient.id)
    ).all()
    heard = fold_text(text)
    scored = [(drug_similarity(text, p.drug_name), p) for p in prescriptions]
    good = [(score, p) for score, p in scored if score >= MATCH]
    if not good:
        return None
    top = max(score for score, _ in good)
    tied = [p for score, p in good if score == top]
    by_strength = [p for p in tied if fold_text(p.strength).split()[0] in heard.split()]
    tied = by_strength or tied
    active = [p for p in tied if p.active] or tied
    if len({(p.drug_name, p.strength) for p in active}) > 1:
        strengths = spoken_list(sorted({p.strength for p in active}), conjunction="or")
        raise InvalidArgument(f"Is that the {strengths}?")
    return max(active, key=lambda p: (p.last_filled_on or date.min, p.id))


_NOT_DRUG_WORDS = {
    "mg", "milligram", "milligrams", "mcg", "microgram", "micrograms", "ml", "tablet",
    "tablets", "pill", "pills", "capsule", "capsules", "my", "the", "a", "of", "for", "refill",
    "prescription", "medicine", "medication", "inhaler", "spray", "nasal",
}  # fmt: skip


def drug_similarity(heard: str, drug_name: str) -> float:
    """Score 0-100 how well the caller's words name a drug, forgiving misheard spellings.

    Doses and filler words are ignored; each remaining word is compared with the drug's
    name and its first word, so "lisinoprel 10 milligrams" finds Lisinopril.
    """
    words = [w for w in fold_text(heard).split() if w not in _NOT_DRUG_WORDS and not w.isdigit()]
    drug = fold_text(drug_name)
    keys = {drug, drug.split()[0]} if drug else set()
    phrases = [*words, " ".join(words)] if words else []
    scores = [name_similarity(phrase, key) for phrase in phrases for key in keys]
    scores.append(float(fuzz.token_set_ratio(fold_text(heard), drug)))
    return max(scores)


def _match_pharmacy(session: Session, text: str) -> Pharmacy | None:
    """Return the pharmacy the caller named, or None to keep their words for staff.

    Raises:
        InvalidArgument: The name fits several pharmacies equally well (two branches).
    """
    heard = fold_text(text)
    pharmacies = session.scalars(select(Pharmacy)).all()
    scored = [
        (fuzz.token_set_ratio(heard, fold_text(f"{p.name} {p.address or ''}")), p)
        for p in pharmacies
    ]
    good = [(score, p) for score, p in scored if score >= MATCH]
    if not good:
        return None
    top = max(score for score, _ in good)
    tied = [p for score, p in good if score == top]
    if len(tied) > 1:
        places = spoken_list([_pharmacy_place(p) for p in tied], conjunction="or")
        raise InvalidArgument(f"Which one: {places}?")
    return tied[0]


def _pharmacy_place(pharmacy: Pharmacy) -> str:
    street = (pharmacy.address or "").split(",")[0]
    return f"{pharmacy.name} on {street}" if street else pharmacy.name


def _open_request(
    session: Session,
    patient: Patient,
    prescription: Prescription | None,
    medication: str,
    ctx: CallContext,
) -> RefillRequest | None:
    query = select(RefillRequest).where(
        RefillRequest.patient_id == patient.id,
        RefillRequest.status.in_(OPEN_STATUSES),
        RefillRequest.created_at >= ctx.now() - DUPLICATE_WINDOW,
    )
    if prescription is not None:
        query = query.where(RefillRequest.prescription_id == prescription.id)
    else:
        query = query.where(RefillRequest.medication_text == medication[:200])
    return session.scalars(query.limit(1)).first()


def _already_requested(day: date, medication: str) -> ToolResult:
    data: dict[str, Any] = {"duplicate": True}
    return ToolResult(
        ok=True,
        message=f"A refill request for {medication} is already in progress since "
        f"{spoken_date(day)}, so there's no need to send another. Our staff will be in touch.",
        data=data,
    )
