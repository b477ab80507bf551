"""The verified patient's schedule: book, reschedule, cancel and list upcoming visits.

Each data-changing tool follows the read-back protocol: called with ``confirmed=false`` it
checks everything and returns the read-back; called again with ``confirmed=true`` after the
caller said yes, it checks everything once more and commits in one transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.models import Appointment, AppointmentStatus, Provider
from tools.availability import ClinicCalendar, load_calendar
from tools.base import CallContext, NotFound, RuleViolation, ToolResult
from tools.booking import Visit, check_visit, claim, describe, describe_kind, release, start_in_utc
from tools.common import (
    LocalStart,
    OptionalShortText,
    ShortText,
    ToolArguments,
    audit,
    load_clinic,
    propose,
    require_confirmation,
    run_in_transaction,
    verified_patient,
)
from tools.lookup import find_appointment_type
from tools.speech import (
    spoken_count,
    spoken_datetime,
    spoken_duration,
    spoken_list,
    spoken_money,
    with_article,
)

BOOK = "book_appointment"
RESCHEDULE = "reschedule_appointment"
CANCEL = "cancel_appointment"
LIST_UPCOMING = "list_upcoming_appointments"

_CONFIRMED_FIELD = Field(
    default=False,
    description="false to check the request and get the read-back to say to the caller; "
    "true only after the caller said yes to that read-back, with the same arguments.",
)
_START_DESCRIPTION = (
    "Start time from find_open_slots, unchanged: local clinic time as YYYY-MM-DDTHH:MM, "
    "optionally with its UTC offset."
)

BOOK_DESCRIPTION = (
    "Book a visit for the verified patient at a time find_open_slots returned. First call "
    "with confirmed=false and read the returned message back to the caller word for word; "
    "call again with confirmed=true and the same arguments only after the caller says yes."
)
RESCHEDULE_DESCRIPTION = (
    "Move one of the verified patient's upcoming visits to a new time from find_open_slots, "
    "keeping the visit type. Get the appointment_id from list_upcoming_appointments. Same "
    "read-back protocol as book_appointment: confirmed=false first, confirmed=true after a yes."
)
CANCEL_DESCRIPTION = (
    "Cancel one of the verified patient's upcoming visits. Get the appointment_id from "
    "list_upcoming_appointments. Call with confirmed=false first: the read-back states the "
    "clinic's late-cancellation policy when it applies, and must be said in full. Call with "
    "confirmed=true only after the caller says yes. Offer to reschedule instead if it fits."
)
LIST_DESCRIPTION = (
    "List the verified patient's upcoming booked visits with their appointment ids. Call it "
    "before rescheduling or cancelling, or when the caller asks when their next visit is."
)


class BookAppointmentArguments(ToolArguments):
    provider_id: int = Field(description="provider_id of the chosen slot from find_open_slots.")
    appointment_type: ShortText = Field(
        description="appointment_type code of the chosen slot, such as 'follow_up'."
    )
    start: LocalStart = Field(description=_START_DESCRIPTION)
    reason: OptionalShortText = Field(
        default=None, description="The reason for the visit in a few words, if the caller gave one."
    )
    confirmed: bool = _CONFIRMED_FIELD


class RescheduleAppointmentArguments(ToolArguments):
    appointment_id: int = Field(description="The visit to move, from list_upcoming_appointments.")
    new_start: LocalStart = Field(description=_START_DESCRIPTION)
    provider_id: int | None = Field(
        default=None,
        description="provider_id of the new slot; omit to stay with the same provider.",
    )
    confirmed: bool = _CONFIRMED_FIELD


class CancelAppointmentArguments(ToolArguments):
    appointment_id: int = Field(description="The visit to cancel, from list_upcoming_appointments.")
    reason: OptionalShortText = Field(
        default=None, description="Why the caller is cancelling, in a few words, if they said."
    )
    confirmed: bool = _CONFIRMED_FIELD


class ListUpcomingAppointmentsArguments(ToolArguments):
    limit: int = Field(default=5, ge=1, le=20, description="How many visits to return.")


def appointment_summary(calendar: ClinicCalendar, appointment: Appointment) -> dict[str, Any]:
    """Describe an appointment for tool results: ids, local times and a spoken phrase."""
    local = calendar.local(appointment.starts_at)
    kind = appointment.appointment_type
    return {
        "appointment_id": appointment.id,
        "start": local.isoformat(timespec="minutes"),
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "provider_id": appointment.provider_id,
        "provider": appointment.provider.display_name,
        "appointment_type": kind.code,
        "duration_minutes": kind.duration_minutes,
        "spoken": with_article(visit_phrase(calendar, appointment)),
    }


def visit_phrase(calendar: ClinicCalendar, appointment: Appointment) -> str:
    """Speak an appointment without an article: "20-minute follow-up visit on ... with ..."."""
    kind = appointment.appointment_type
    when = spoken_datetime(calendar.local(appointment.starts_at))
    length = spoken_duration(kind.duration_minutes)
    return f"{length} {kind.name.lower()} on {when} with {appointment.provider.display_name}"


def own_upcoming(
    session: Session, ctx: CallContext, appointment_id: int, patient_id: int
) -> Appointment:
    """Return the patient's own booked, future appointment with this id.

    Raises:
        NotFound: No such appointment among the patient's upcoming visits. Another
            patient's appointment gets the same answer, so ids reveal nothing.
    """
    appointment = session.get(Appointment, appointment_id)
    if (
        appointment is None
        or appointment.patient_id != patient_id
        or appointment.status != AppointmentStatus.BOOKED
        or appointment.starts_at <= ctx.now()
    ):
        raise NotFound(
            "I couldn't find that visit among your upcoming appointments.",
            data={"next_step": "Call list_upcoming_appointments for the ids."},
        )
    return appointment


def _provider(session: Session, ctx: CallContext, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id)
    if provider is None or provider.clinic_id != ctx.clinic_id or not provider.active:
        raise NotFound(
            "I couldn't find that provider.",
            data={"next_step": "Use a provider_id returned by find_open_slots."},
        )
    return provider


async def book_appointment(ctx: CallContext, args: BookAppointmentArguments) -> ToolResult:
    """Read back, then book, a visit for the verified patient."""
    return await run_in_transaction(ctx, lambda session: _book(session, ctx, args))


def _book(session: Session, ctx: CallContext, args: BookAppointmentArguments) -> ToolResult:
    patient = verified_patient(session, ctx, for_update=True)
    calendar = load_calendar(session, load_clinic(session, ctx))
    provider = _provider(session, ctx, args.provider_id)
    kind = find_appointment_type(session, args.appointment_type)
    visit = Visit(patient, provider, kind, start_in_utc(calendar, args.start))
    check_visit(session, ctx, calendar, visit)
    proposal = {
        "patient_id": patient.id,
        "provider_id": provider.id,
        "appointment_type": kind.code,
        "start": visit.start.isoformat(),
    }
    when = describe(calendar, visit)
    if not args.confirmed:
        audit(
            session,
            ctx,
            tool=BOOK,
            action="read",
            resource="patient",
            resource_id=patient.id,
            patient_id=patient.id,
        )
        message = f"{when}, {describe_kind(kind)}. Shall I book it?"
        return propose(ctx, BOOK, proposal, message, {"proposal": proposal})
    require_confirmation(ctx, BOOK, proposal)
    appointment = claim(session, ctx, visit, reason=args.reason)
    audit(
        session,
        ctx,
        tool=BOOK,
        action="create",
        resource="appointment",
        resource_id=appointment.id,
        patient_id=patient.id,
        detail={"provider_id": provider.id, "appointment_type": kind.code},
    )
    return ToolResult(
        ok=True,
        message=f"You're all set: {describe_kind(kind)} on {when}.",
        data={"appointment_id": appointment.id, "start": calendar.local(visit.start).isoformat()},
    )


async def reschedule_appointment(
    ctx: CallContext, args: RescheduleAppointmentArguments
) -> ToolResult:
    """Read back, then move, one of the verified patient's visits."""
    return await run_in_transaction(ctx, lambda session: _reschedule(session, ctx, args))


def _reschedule(
    session: Session, ctx: CallContext, args: RescheduleAppointmentArguments
) -> ToolResult:
    patient = verified_patient(session, ctx, for_update=True)
    calendar = load_calendar(session, load_clinic(session, ctx))
    old = own_upcoming(session, ctx, args.appointment_id, patient.id)
    provider = _provider(session, ctx, args.provider_id or old.provider_id)
    visit = Visit(patient, provider, old.appointment_type, start_in_utc(calendar, args.new_start))
    if visit.start == old.starts_at and provider.id == old.provider_id:
        raise RuleViolation("That's the time the visit is already booked for.")
    check_visit(session, ctx, calendar, visit, replacing=old.id)
    proposal = {
        "appointment_id": old.id,
        "provider_id": provider.id,
        "start": visit.start.isoformat(),
    }
    was = spoken_datetime(calendar.local(old.starts_at))
    kind_name = old.appointment_type.name.lower()
    if not args.confirmed:
        audit(
            session,
            ctx,
            tool=RESCHEDULE,
            action="read",
            resource="appointment",
            resource_id=old.id,
            patient_id=patient.id,
        )
        message = f"I'll move your {kind_name} from {was} to {describe(calendar, visit)}. Shall I?"
        return propose(ctx, RESCHEDULE, proposal, message, {"proposal": proposal})
    require_confirmation(ctx, RESCHEDULE, proposal)
    # Free the old time first: the new visit may overlap it (moved by a quarter hour).
    release(session, old)
    old.status = AppointmentStatus.RESCHEDULED
    session.flush()
    new = claim(session, ctx, visit, reason=old.reason, rescheduled_from=old.id)
    audit(
        session,
        ctx,
        tool=RESCHEDULE,
        action="update",
        resource="appointment",
        resource_id=new.id,
        patient_id=patient.id,
        detail={"rescheduled_from_id": old.id, "provider_id": provider.id},
    )
    return ToolResult(
        ok=True,
        message=f"Done. Your {kind_name} is now {describe(calendar, visit)}.",
        data={"appointment_id": new.id, "rescheduled_from_id": old.id},
    )


async def cancel_appointment(ctx: CallContext, args: CancelAppointmentArguments) -> ToolResult:
    """Read back, then cancel, one of the verified patient's visits."""
    return await run_in_transaction(ctx, lambda session: _cancel(session, ctx, args))


def _cancel(session: Session, ctx: CallContext, args: CancelAppointmentArguments) -> ToolResult:
    patient = verified_patient(session, ctx, for_update=True)
    clinic = load_clinic(session, ctx)
    calendar = load_calendar(session, clinic)
    appointment = own_upcoming(session, ctx, args.appointment_id, patient.id)
    now = ctx.now()
    late = appointment.starts_at - now < timedelta(hours=clinic.late_cancel_hours)
    policy = _late_policy(clinic.late_cancel_hours, clinic.late_cancel_fee_cents) if late else ""
    what = visit_phrase(calendar, appointment)
    proposal = {"appointment_id": appointment.id, "late_cancellation": late}
    if not args.confirmed:
        audit(
            session,
            ctx,
            tool=CANCEL,
            action="read",
            resource="appointment",
            resource_id=appointment.id,
            patient_id=patient.id,
        )
        message = f"I'll cancel your {what}.{policy} Shall I cancel it?"
        return propose(ctx, CANCEL, proposal, message, {"proposal": proposal})
    require_confirmation(ctx, CANCEL, proposal)
    release(session, appointment)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    appointment.cancellation_reason = args.reason
    appointment.late_cancellation = late
    audit(
        session,
        ctx,
        tool=CANCEL,
        action="cancel",
        resource="appointment",
        resource_id=appointment.id,
        patient_id=patient.id,
        detail={"late_cancellation": late},
    )
    return ToolResult(
        ok=True,
        message=f"Your {what} is cancelled.{policy}",
        data={"appointment_id": appointment.id, "late_cancellation": late},
    )


def _late_policy(hours: int, fee_cents: int) -> str:
    notice = f" Because it's less than {hours} hours away, this counts as a late cancellation"
    if fee_cents > 0:
        fee = spoken_money(fee_cents)
        return f"{notice}, and the clinic's late-cancellation fee of {fee} applies."
    return f"{notice}, and it will be noted on your chart."


async def list_upcoming_appointments(
    ctx: CallContext, args: ListUpcomingAppointmentsArguments
) -> ToolResult:
    """List the verified patient's upcoming visits."""
    return await run_in_transaction(ctx, lambda session: _list(session, ctx, args))


def _list(
    session: Session, ctx: CallContext, args: ListUpcomingAppointmentsArguments
) -> ToolResult:
    patient = verified_patient(session, ctx)
    calendar = load_calendar(session, load_clinic(session, ctx))
    appointments = session.scalars(
        select(Appointment)
        .where(
            Appointment.patient_id == patient.id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at > ctx.now(),
        )
        .order_by(Appointment.starts_at)
        .limit(args.limit)
    ).all()
    summaries = [appointment_summary(calendar, a) for a in appointments]
    audit(
        session,
        ctx,
        tool=LIST_UPCOMING,
        action="read",
        resource="appointment",
        resource_id=None,
        patient_id=patient.id,
        detail={"appointment_ids": [a.id for a in appointments]},
    )
    if not summaries:
        return ToolResult(
            ok=True, message="You have no upcoming visits.", data={"appointments": []}
        )
    spoken = spoken_list([str(s["spoken"]) for s in summaries])
    count = spoken_count(len(summaries), "upcoming visit")
    return ToolResult(
        ok=True, message=f"You have {count}: {spoken}.", data={"appointments": summaries}
    )
