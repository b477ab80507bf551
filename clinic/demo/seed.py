"""Seed the demo clinic and the large benchmark clinic."""

from __future__ import annotations

import logging
import random
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session, sessionmaker

from clinic.demo import data
from clinic.demo.bookings import Booker, Booking, BookingFiller
from clinic.demo.calendar import demo_now, next_weekday
from clinic.demo.charts import KEY_PRESCRIPTIONS, add_coverages, add_prescriptions
from clinic.demo.facts import (
    DemoAppointment,
    DemoFacts,
    DemoPatient,
    DemoPlan,
    DemoPrescription,
    DemoTimeOff,
    LargeClinicFacts,
)
from clinic.demo.people import (
    KEY_PATIENTS,
    PatientSeed,
    add_generated_patients,
    add_key_patients,
)
from clinic.demo.practice import Practice, add_time_off, build_practice, generated_provider_specs
from clinic.demo.rows import RowSet, insert_rows

logger = logging.getLogger(__name__)

DEMO_PATIENTS = 300
PAST_DAYS = 30
FUTURE_DAYS = 60

# Curated visits of known patients: (role, provider, visit type, days from today, local time).
# Each lands on the first day on or after that offset on which the provider works.
_KEY_BOOKINGS: tuple[tuple[str, str, str, int, str], ...] = (
    ("established", "patel", "follow_up", -21, "10:00"),
    ("established", "patel", "follow_up", 8, "09:15"),
    ("same_name_older", "okafor", "follow_up", -28, "14:00"),
    ("same_name_older", "okafor", "annual_physical", 15, "10:00"),
    ("same_name_younger", "brennan", "sick_visit", -14, "11:00"),
    ("look_alike_jon", "thompson", "sick_visit", -10, "09:30"),
    ("spanish", "patel", "follow_up", -30, "11:00"),
    ("spanish", "patel", "telehealth", 5, "14:00"),
    ("apostrophe", "okafor", "annual_physical", -20, "09:00"),
    ("child", "ramirez", "sick_visit", -25, "15:00"),
    ("child", "ramirez", "well_child", 12, "10:30"),
    ("parent", "patel", "follow_up", -18, "15:30"),
    ("uninsured", "brennan", "sick_visit", -9, "13:30"),
    ("not_accepted", "okafor", "follow_up", -26, "10:30"),
    ("controlled", "kim", "follow_up", -27, "09:00"),
    ("controlled", "liu", "medication_review", 20, "14:00"),
)


def _demo_time_off(rows: RowSet, practice: Practice) -> None:
    vacation_start = next_weekday(practice.today + timedelta(days=21), 0)
    add_time_off(
        rows,
        practice,
        provider_key="thompson",
        first_day=vacation_start,
        last_day=vacation_start + timedelta(days=4),
        hours=None,
        reason="Vacation",
    )
    conference_day = next_weekday(practice.today + timedelta(days=9), 3)
    add_time_off(
        rows,
        practice,
        provider_key="kim",
        first_day=conference_day,
        last_day=conference_day,
        hours=(time(13, 0), time(17, 0)),
        reason="Conference",
    )


def _book_key_patients(booker: Booker, patients: list[PatientSeed]) -> dict[str, Booking]:
    by_role = {patient.key_role: patient for patient in patients if patient.key_role}
    practice = booker.practice
    upcoming: dict[str, Booking] = {}
    for role, provider_key, code, offset, at in _KEY_BOOKINGS:
        provider = practice.provider(provider_key)
        starts_at = booker.working_start(
            provider,
            first_day=practice.today + timedelta(days=offset),
            at=time.fromisoformat(at),
            code=code,
        )
        booking = booker.book(provider, by_role[role], code, starts_at)
        if role == "established" and offset > 0:
            upcoming["upcoming"] = booking
    # Starts three hours from the pinned clock: inside the 24-hour late-cancellation window.
    okafor = practice.provider("okafor")
    soon = booker.earliest_start(okafor, after=practice.now + timedelta(hours=3), code="follow_up")
    upcoming["late_cancel"] = booker.book(okafor, by_role["look_alike_john"], "follow_up", soon)
    return upcoming


def _fill_calendars(
    booker: Booker, patients: list[PatientSeed], *, past_days: int, future_days: int
) -> None:
    today = booker.practice.today
    BookingFiller(booker, patients).fill(
        first_day=today - timedelta(days=past_days),
        last_day=today + timedelta(days=future_days - 1),
    )


def seed_demo_clinic(
    session_factory: sessionmaker[Session],
    *,
    today: date,
    seed: int = 7,
    now: datetime | None = None,
) -> DemoFacts:
    """Seed Maple Grove Family Medicine into an empty, migrated database.

    The same ``seed``, ``today`` and ``now`` give the same rows and ids on every backend.

    Args:
        session_factory: Sessions on the target database.
        today: The clinic's local date; bookings span 30 days before it to 60 days after.
        seed: Seeds every random choice.
        now: The current instant (UTC) that separates past visits from booked ones;
            9:00 AM local on ``today`` by default, the pinned clock of tests.

    Returns:
        The ids and details scenarios refer to.

    Raises:
        ValueError: When the database already contains a clinic.
    """
    now = now or demo_now(today, data.CLINIC_TIMEZONE)
    rows = RowSet()
    practice = build_practice(rows, today=today, now=now, provider_specs=list(data.PROVIDERS))
    _demo_time_off(rows, practice)
    patients = add_key_patients(rows, today=today, now=now, seed=seed)
    reserved_names = {p.full_name.lower() for p in patients}
    patients += add_generated_patients(
        rows,
        count=DEMO_PATIENTS - len(patients),
        today=today,
        now=now,
        seed=seed,
        reserved_names=reserved_names,
        reserved_phones={p.phone for p in patients},
    )
    add_coverages(rows, practice, patients, seed=seed)
    prescription_ids = add_prescriptions(
        rows, practice, patients, seed=seed, with_key_prescriptions=True
    )
    booker = Booker(rows, practice, random.Random(f"{seed}:bookings"))
    key_bookings = _book_key_patients(booker, patients)
    _fill_calendars(booker, patients, past_days=PAST_DAYS, future_days=FUTURE_DAYS)
    insert_rows(session_factory, rows)
    logger.info("Seeded the demo clinic", extra={"counts": rows.counts()})
    return _demo_facts(rows, practice, patients, prescription_ids, key_bookings)


def seed_large_clinic(
    session_factory: sessionmaker[Session],
    *,
    today: date,
    seed: int = 7,
    providers: int = 50,
    patients: int = 10_000,
    past_days: int = 7,
    future_days: int = FUTURE_DAYS,
) -> LargeClinicFacts:
    """Seed a clinic of ``providers`` providers and ``patients`` patients for benchmarks.

    Calendars are filled like the demo clinic's; there are no curated patients.

    Raises:
        ValueError: When the database already contains a clinic.
    """
    now = demo_now(today, data.CLINIC_TIMEZONE)
    rows = RowSet()
    specs = generated_provider_specs(providers, random.Random(f"{seed}:providers"))
    practice = build_practice(
        rows, today=today, now=now, provider_specs=specs, clinic_name="Maple Grove Health Network"
    )
    seeds = add_generated_patients(
        rows,
        count=patients,
        today=today,
        now=now,
        seed=seed,
        reserved_names=set(),
        reserved_phones=set(),
    )
    add_coverages(rows, practice, seeds, seed=seed)
    add_prescriptions(rows, practice, seeds, seed=seed, with_key_prescriptions=False)
    booker = Booker(rows, practice, random.Random(f"{seed}:bookings"))
    _fill_calendars(booker, seeds, past_days=past_days, future_days=future_days)
    insert_rows(session_factory, rows)
    return LargeClinicFacts(
        clinic_id=practice.clinic_id,
        today=today,
        now=now,
        provider_ids=tuple(p.id for p in practice.providers),
        appointment_type_ids=dict(practice.type_ids),
        counts=rows.counts(),
    )


def _demo_patient(seed: PatientSeed) -> DemoPatient:
    return DemoPatient(
        seed.id, seed.first_name, seed.last_name, seed.date_of_birth, seed.phone, seed.language
    )


def _demo_plan(practice: Practice, payer: str, plan: str) -> DemoPlan:
    plan_id, accepted = practice.plans[(payer, plan)]
    return DemoPlan(plan_id, payer, plan, accepted)


def _demo_facts(
    rows: RowSet,
    practice: Practice,
    patients: list[PatientSeed],
    prescription_ids: dict[str, int],
    bookings: dict[str, Booking],
) -> DemoFacts:
    by_role = {p.key_role: _demo_patient(p) for p in patients if p.key_role}
    prescriptions = {}
    for spec in KEY_PRESCRIPTIONS:
        prescriptions[spec.name] = DemoPrescription(
            id=prescription_ids[spec.name],
            patient_id=by_role[spec.patient_role].id,
            drug_name=spec.drug.name,
            strength=spec.drug.strength,
            refills_left=0 if spec.drug.schedule == "II" else spec.refills_left,
            controlled_schedule=spec.drug.schedule,
            prescriber_id=practice.provider(spec.prescriber_key).id,
        )
    appointments = {
        name: DemoAppointment(b.id, b.patient_id, b.provider_id, b.appointment_type, b.starts_at)
        for name, b in bookings.items()
    }
    time_off = tuple(
        DemoTimeOff(row["provider_id"], row["starts_at"], row["ends_at"], row["reason"])
        for row in rows.tables["provider_time_off"]
    )
    key_specs = {spec.role: spec for spec in KEY_PATIENTS}
    accepted = key_specs["established"].plan
    not_accepted = key_specs["not_accepted"].plan
    assert accepted is not None and not_accepted is not None
    return DemoFacts(
        clinic_id=practice.clinic_id,
        clinic_name=data.CLINIC_NAME,
        timezone=data.CLINIC_TIMEZONE,
        today=practice.today,
        now=practice.now,
        provider_ids={p.key: p.id for p in practice.providers},
        appointment_type_ids=dict(practice.type_ids),
        pharmacy_ids=dict(practice.pharmacy_ids),
        established_patient=by_role["established"],
        same_name_patients=(by_role["same_name_older"], by_role["same_name_younger"]),
        look_alike_patients=(by_role["look_alike_john"], by_role["look_alike_jon"]),
        spanish_speaking_patient=by_role["spanish"],
        apostrophe_patient=by_role["apostrophe"],
        child_patient=by_role["child"],
        parent_patient=by_role["parent"],
        uninsured_patient=by_role["uninsured"],
        not_accepted_patient=by_role["not_accepted"],
        new_patient=by_role["new_patient"],
        controlled_patient=by_role["controlled"],
        pending_review_patient=by_role["pending_review"],
        accepted_plan=_demo_plan(practice, *accepted),
        not_accepted_plan=_demo_plan(practice, *not_accepted),
        refillable_prescription=prescriptions["refillable"],
        no_refills_prescription=prescriptions["no_refills"],
        controlled_prescription=prescriptions["controlled"],
        schedule_iv_prescription=prescriptions["schedule_iv"],
        upcoming_appointment=appointments["upcoming"],
        late_cancel_appointment=appointments["late_cancel"],
        closure_day=practice.closure_day,
        time_off=time_off,
        counts=rows.counts(),
    )
