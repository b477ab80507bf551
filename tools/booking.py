"""Claiming and releasing a provider's time: the rules every booking passes, and the guard.

The guard against double booking is the ``appointment_block`` primary key
``(provider_id, block_start)``: a booked visit inserts one row per five-minute block it
covers, in the same transaction as the appointment. Two calls racing for overlapping times
both pass the checks below, but only one can insert the blocks. The other gets an
``IntegrityError`` on flush, reported as :class:`tools.base.SlotTaken`. The checks exist to
give the caller a precise reason, and the key is what makes double booking impossible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinic.models import (
    BLOCK_MINUTES,
    Appointment,
    AppointmentBlock,
    AppointmentStatus,
    AppointmentType,
    Patient,
    Provider,
    ProviderTimeOff,
    provider_appointment_type,
)
from tools.availability import (
    MIN_NOTICE,
    ClinicCalendar,
    WeeklyTemplate,
    load_templates,
    unavailable_reason,
)
from tools.base import CallContext, InvalidArgument, RuleViolation, SlotTaken
from tools.datetimes import NonexistentLocalTimeError, local_to_utc
from tools.scheduling import check_patient_may_book
from tools.speech import spoken_datetime, spoken_duration, with_article

MAX_DAYS_AHEAD = 180
"""How far ahead a visit may be booked by phone."""


@dataclass(frozen=True)
class Visit:
    """A visit about to be booked: who, with whom, what kind and when (UTC)."""

    patient: Patient
    provider: Provider
    kind: AppointmentType
    start: datetime

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.kind.duration_minutes)


def start_in_utc(calendar: ClinicCalendar, start: datetime) -> datetime:
    """Place a start time from the tool arguments on the clinic's calendar, in UTC.

    A time without an offset is local clinic time; one with an offset is taken as given.
    The five-minute mark is checked on the clinic's clock after conversion: an odd offset
    such as ``+00:03`` would otherwise place the visit between the blocks that guard
    against double booking.

    Raises:
        InvalidArgument: The time is not on a five-minute mark, or the clocks skip it.
    """
    if start.tzinfo is not None:
        instant = start.astimezone(UTC)
    else:
        try:
            instant = local_to_utc(start.date(), start.time(), calendar.zone.key)
        except NonexistentLocalTimeError:
            raise InvalidArgument(
                "That time doesn't exist that day because the clocks change; pick another time."
            ) from None
    local = calendar.local(instant)
    if local.second or local.microsecond or local.minute % BLOCK_MINUTES:
        raise InvalidArgument(
            f"Appointment times fall on {BLOCK_MINUTES}-minute marks; use a time from "
            "find_open_slots."
        )
    return instant


def describe(calendar: ClinicCalendar, visit: Visit) -> str:
    """Speak a visit as "Tuesday, March 10 at 9:15 AM with Dr. Patel"."""
    return f"{spoken_datetime(calendar.local(visit.start))} with {visit.provider.display_name}"


def describe_kind(kind: AppointmentType) -> str:
    """Speak a visit type with its length: "a 20-minute follow-up visit"."""
    return with_article(f"{spoken_duration(kind.duration_minutes)} {kind.name.lower()}")


def check_visit(
    session: Session,
    ctx: CallContext,
    calendar: ClinicCalendar,
    visit: Visit,
    *,
    replacing: int | None = None,
) -> None:
    """Check every rule a booking must satisfy; ``replacing`` is an appointment being moved.

    Raises:
        RuleViolation: The visit breaks a clinic or scheduling rule.
        SlotTaken: The provider already has a visit then.
    """
    now = ctx.now()
    if visit.start < now:
        raise RuleViolation("That time has already passed. Shall I look for the next opening?")
    if visit.start < now + MIN_NOTICE:
        raise RuleViolation("That's too soon for me to book. Shall I look for the next opening?")
    if visit.start > now + timedelta(days=MAX_DAYS_AHEAD):
        raise RuleViolation(f"I can book up to {MAX_DAYS_AHEAD} days ahead.")
    offered = session.scalar(
        select(provider_appointment_type.c.provider_id).where(
            provider_appointment_type.c.provider_id == visit.provider.id,
            provider_appointment_type.c.appointment_type_id == visit.kind.id,
        )
    )
    if offered is None:
        raise RuleViolation(
            f"{visit.provider.display_name} doesn't offer {with_article(visit.kind.name.lower())}."
        )
    check_patient_may_book(session, ctx, visit.kind, visit.patient.id)
    template = load_templates(session, [visit.provider.id]).get(
        visit.provider.id, WeeklyTemplate(visit.provider.id, {})
    )
    duration = visit.end - visit.start
    reason = unavailable_reason(
        calendar, template, visit.provider.display_name, visit.start, duration
    )
    if reason is not None:
        raise RuleViolation(reason + " Shall I look for open times?")
    _check_conflicts(session, visit, replacing)


def _check_conflicts(session: Session, visit: Visit, replacing: int | None) -> None:
    away = session.scalar(
        select(ProviderTimeOff.id).where(
            ProviderTimeOff.provider_id == visit.provider.id,
            ProviderTimeOff.starts_at < visit.end,
            ProviderTimeOff.ends_at > visit.start,
        )
    )
    if away is not None:
        raise RuleViolation(f"{visit.provider.display_name} is away at that time.")
    overlapping = select(Appointment.id).where(
        Appointment.status == AppointmentStatus.BOOKED,
        Appointment.starts_at < visit.end,
        Appointment.ends_at > visit.start,
    )
    if replacing is not None:
        overlapping = overlapping.where(Appointment.id != replacing)
    taken = session.scalar(overlapping.where(Appointment.provider_id == visit.provider.id))
    if taken is not None:
        raise SlotTaken("That time was just taken. Shall I look for the next opening?")
    own = session.scalar(overlapping.where(Appointment.patient_id == visit.patient.id))
    if own is not None:
        raise RuleViolation("You already have a visit at that time.")


def claim(
    session: Session,
    ctx: CallContext,
    visit: Visit,
    *,
    reason: str | None,
    rescheduled_from: int | None = None,
) -> Appointment:
    """Insert the appointment and the blocks that reserve its time.

    Raises:
        SlotTaken: Another transaction holds one of the blocks (it booked first).
    """
    appointment = Appointment(
        patient_id=visit.patient.id,
        provider_id=visit.provider.id,
        appointment_type_id=visit.kind.id,
        starts_at=visit.start,
        ends_at=visit.end,
        status=AppointmentStatus.BOOKED,
        reason=reason,
        booked_by=ctx.actor[:40],
        booked_from_call_id=ctx.call_id,
        rescheduled_from_id=rescheduled_from,
        created_at=ctx.now(),
    )
    session.add(appointment)
    session.flush()
    step = timedelta(minutes=BLOCK_MINUTES)
    blocks = [
        AppointmentBlock(
            provider_id=visit.provider.id,
            block_start=visit.start + step * index,
            appointment_id=appointment.id,
        )
        # Rounded up, so a visit whose length is not a multiple of the block still
        # reserves its last minutes.
        for index in range(-(-visit.kind.duration_minutes // BLOCK_MINUTES))
    ]
    session.add_all(blocks)
    try:
        session.flush()
    except IntegrityError:
        # The transaction is rolled back as the exception leaves it; nothing stays booked.
        raise SlotTaken("That time was just taken. Shall I look for the next opening?") from None
    return appointment


def release(session: Session, appointment: Appointment) -> None:
    """Delete the blocks an appointment holds, freeing its time for others."""
    session.execute(
        delete(AppointmentBlock).where(AppointmentBlock.appointment_id == appointment.id)
    )
