"""The clinic's public facts, loaded once per call for prompts and replies.

Everything here is what any caller may hear (name, hours, providers, visit types, accepted
plans); nothing here is about a patient, so it may go into a prompt before verification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from clinic.models import AppointmentType, Clinic, Payer, Plan, Provider

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class ProviderFacts:
    """A clinician as callers may ask for them."""

    id: int
    display_name: str
    first_name: str
    last_name: str
    title: str
    specialty: str
    appointment_type_codes: tuple[str, ...]


@dataclass(frozen=True)
class AppointmentTypeFacts:
    """A kind of visit: its code (a tool argument), spoken name and length."""

    code: str
    name: str
    duration_minutes: int
    for_new_patients: bool
    for_established_patients: bool


@dataclass(frozen=True)
class ClinicFacts:
    """The clinic configuration the agent may state, never invent.

    ``hours`` maps weekday keys ``mon``..``sun`` to ``(open, close)`` as ``HH:MM`` strings in
    the clinic's time zone, or None on closed days.
    """

    clinic_id: int
    name: str
    timezone: str
    address: str
    phone: str
    fax: str | None
    portal_url: str | None
    parking: str | None
    hours: dict[str, tuple[str, str] | None]
    transfer_number: str | None
    nurse_line: str | None
    after_hours_policy: str
    late_cancel_hours: int
    late_cancel_fee_cents: int
    providers: tuple[ProviderFacts, ...]
    appointment_types: tuple[AppointmentTypeFacts, ...]
    accepted_plans: tuple[str, ...]
    holidays: tuple[tuple[date, str], ...] = ()

    def provider_by_id(self, provider_id: int) -> ProviderFacts | None:
        """Return the provider with ``provider_id``, or None."""
        return next((p for p in self.providers if p.id == provider_id), None)

    def appointment_type(self, code: str) -> AppointmentTypeFacts | None:
        """Return the appointment type with ``code``, or None."""
        return next((t for t in self.appointment_types if t.code == code), None)


def _hours(raw: dict[str, Any]) -> dict[str, tuple[str, str] | None]:
    hours: dict[str, tuple[str, str] | None] = {}
    for key in WEEKDAY_KEYS:
        window = raw.get(key)
        hours[key] = (str(window[0]), str(window[1])) if window else None
    return hours


def _provider_facts(provider: Provider) -> ProviderFacts:
    return ProviderFacts(
        id=provider.id,
        display_name=provider.display_name,
        first_name=provider.first_name,
        last_name=provider.last_name,
        title=provider.title,
        specialty=provider.specialty,
        appointment_type_codes=tuple(sorted(t.code for t in provider.appointment_types)),
    )


def _load(session: Session, clinic_id: int) -> ClinicFacts:
    clinic = session.get(Clinic, clinic_id)
    if clinic is None:
        raise LookupError(f"Clinic {clinic_id} was not found; seed or configure the clinic first.")
    providers = session.scalars(
        select(Provider)
        .where(Provider.clinic_id == clinic_id, Provider.active.is_(True))
        .options(selectinload(Provider.appointment_types))
        .order_by(Provider.last_name, Provider.first_name)
    ).all()
    types = session.scalars(select(AppointmentType).order_by(AppointmentType.id)).all()
    plans = session.scalars(
        select(Plan)
        .join(Payer)
        .where(Plan.accepted.is_(True))
        .options(selectinload(Plan.payer))
        .order_by(Payer.name, Plan.name)
    ).all()
    return ClinicFacts(
        clinic_id=clinic.id,
        name=clinic.name,
        timezone=clinic.timezone,
        address=clinic.address,
        phone=clinic.phone,
        fax=clinic.fax,
        portal_url=clinic.portal_url,
        parking=clinic.parking,
        hours=_hours(clinic.hours or {}),
        transfer_number=clinic.transfer_number,
        nurse_line=clinic.nurse_line,
        after_hours_policy=clinic.after_hours_policy,
        late_cancel_hours=clinic.late_cancel_hours,
        late_cancel_fee_cents=clinic.late_cancel_fee_cents,
        providers=tuple(_provider_facts(p) for p in providers),
        appointment_types=tuple(
            AppointmentTypeFacts(
                code=t.code,
                name=t.name,
                duration_minutes=t.duration_minutes,
                for_new_patients=t.for_new_patients,
                for_established_patients=t.for_established_patients,
            )
            for t in types
        ),
        accepted_plans=tuple(p.display_name for p in plans),
        holidays=tuple(sorted((h.day, h.name) for h in clinic.holidays)),
    )


def load_clinic_facts(session_factory: sessionmaker[Session], clinic_id: int) -> ClinicFacts:
    """Read the clinic's public configuration from the database.

    Raises:
        LookupError: No clinic has ``clinic_id``.
    """
    with session_factory() as session:
        return _load(session, clinic_id)
