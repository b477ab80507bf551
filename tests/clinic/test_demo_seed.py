"""The demo clinic seed: deterministic, realistic, and true to the facts it reports."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import make_engine, make_session_factory
from clinic.demo import DEMO_TODAY, demo_now, seed_demo_clinic, seed_large_clinic
from clinic.demo.bookings import TARGET_UTILISATION
from clinic.migrate import upgrade
from clinic.models import (
    BLOCK_MINUTES,
    Appointment,
    AppointmentBlock,
    AppointmentStatus,
    AppointmentType,
    Base,
    Clinic,
    Coverage,
    Holiday,
    Patient,
    PatientStatus,
    Plan,
    PlanCopay,
    Prescription,
    Provider,
    ProviderSchedule,
    ProviderTimeOff,
)

ZONE = ZoneInfo("America/New_York")
ACTIVE_STATUSES = {
    AppointmentStatus.BOOKED,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.NO_SHOW,
}


def _seeded_factory(path: Path, *, seed: int) -> sessionmaker[Session]:
    url = f"sqlite:///{path}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    seed_demo_clinic(factory, today=DEMO_TODAY, seed=seed)
    return factory


def _dump(factory: sessionmaker[Session]) -> dict[str, list[tuple[object, ...]]]:
    dump: dict[str, list[tuple[object, ...]]] = {}
    with factory() as session:
        for table in Base.metadata.sorted_tables:
            rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
            dump[table.name] = [tuple(row) for row in rows]
    return dump


def test_seed_is_deterministic(tmp_path):
    first = _dump(_seeded_factory(tmp_path / "first.sqlite3", seed=7))
    second = _dump(_seeded_factory(tmp_path / "second.sqlite3", seed=7))
    other = _dump(_seeded_factory(tmp_path / "other.sqlite3", seed=8))

    assert first == second
    assert first["patient"] != other["patient"]
    assert first["appointment"] != other["appointment"]


@pytest.mark.postgres
def test_seed_same_on_both_backends(sqlite_url, postgres_url):
    sqlite_factory = make_session_factory(make_engine(sqlite_url))
    postgres_engine = make_engine(postgres_url)
    try:
        sqlite_dump = _dump(sqlite_factory)
        postgres_dump = _dump(make_session_factory(postgres_engine))
    finally:
        postgres_engine.dispose()
    for table, rows in sqlite_dump.items():
        assert postgres_dump[table] == rows, table


def test_seed_rejects_second_clinic(session_factory):
    with pytest.raises(ValueError, match="already contains a clinic"):
        seed_demo_clinic(session_factory, today=DEMO_TODAY)


def test_seed_continues_ids_after_seeded_rows(session_factory, demo):
    # PostgreSQL sequences must have moved past the explicitly numbered seed rows.
    with session_factory() as session, session.begin():
        patient = Patient(
            first_name="New",
            last_name="Caller",
            date_of_birth=DEMO_TODAY - timedelta(days=10_000),
            created_at=demo.now,
        )
        session.add(patient)
        session.flush()
        assert patient.id == demo.counts["patient"] + 1


def test_demo_counts(session_factory):
    with session_factory() as session:

        def count(model: type[Base]) -> int:
            return session.scalar(select(func.count()).select_from(model)) or 0

        assert count(Clinic) == 1
        assert count(Patient) == 300
        assert count(Provider) >= 6
        assert count(AppointmentType) == 8
        assert count(Plan) == 10
        assert count(Appointment) > 3000
        specialties = set(session.scalars(select(Provider.specialty)))
        plans_accepted = Counter(session.scalars(select(Plan.accepted)))
    assert len(specialties) >= 6
    assert plans_accepted[True] >= 5
    assert plans_accepted[False] >= 3


def test_clinic_configuration(session_factory, demo):
    with session_factory() as session:
        clinic = session.get(Clinic, demo.clinic_id)
        holidays = {holiday.day for holiday in session.scalars(select(Holiday))}
    assert clinic is not None
    assert clinic.name == demo.clinic_name
    assert clinic.timezone == "America/New_York"
    assert clinic.late_cancel_hours == 24
    assert clinic.transfer_number
    assert clinic.nurse_line
    assert clinic.hours["sun"] is None
    assert demo.closure_day in holidays


def test_appointment_types_and_copays(session_factory):
    with session_factory() as session:
        types = session.scalars(select(AppointmentType)).all()
        copays = session.scalars(select(PlanCopay)).all()
        accepted_ids = set(session.scalars(select(Plan.id).where(Plan.accepted)))
        offered = {t.code: len(t.providers) for t in types}
    assert all(t.duration_minutes % BLOCK_MINUTES == 0 for t in types)
    assert any(t.for_new_patients and not t.for_established_patients for t in types)
    assert all(count > 0 for count in offered.values())
    assert {copay.plan_id for copay in copays} == accepted_ids


def test_patients_cover_hard_names(session_factory, demo):
    with session_factory() as session:
        patients = session.scalars(select(Patient)).all()
    names = Counter(p.full_name for p in patients)
    older, younger = demo.same_name_patients

    assert names[older.full_name] == 2
    assert older.full_name == younger.full_name
    assert older.date_of_birth != younger.date_of_birth
    assert older.phone != younger.phone
    assert names["John Smith"] == 1
    assert names["Jon Smyth"] == 1
    assert names["María José García-López"] == 1
    assert sum(1 for p in patients if "-" in p.last_name) >= 5
    assert sum(1 for p in patients if p.preferred_language == "es") >= 10
    assert sum(1 for p in patients if p.status is PatientStatus.PENDING_REVIEW) >= 1


def test_member_ids_match_payer_patterns(session_factory):
    with session_factory() as session:
        coverages = session.scalars(select(Coverage)).all()
        for coverage in coverages:
            pattern = coverage.plan.payer.member_id_pattern
            assert pattern is not None
            assert re.fullmatch(pattern, coverage.member_id), (pattern, coverage.member_id)
    assert len(coverages) >= 250


def test_prescriptions_include_hard_cases(session_factory, demo):
    with session_factory() as session:
        schedules = Counter(session.scalars(select(Prescription.controlled_schedule)))
        no_refills = session.scalar(
            select(func.count()).select_from(Prescription).where(Prescription.refills_left == 0)
        )
        schedule_two_refills = session.scalar(
            select(func.max(Prescription.refills_left)).where(
                Prescription.controlled_schedule == "II"
            )
        )
        controlled = session.get(Prescription, demo.controlled_prescription.id)
    assert schedules["II"] >= 1
    assert schedules["IV"] >= 1
    assert no_refills is not None and no_refills >= 10
    assert schedule_two_refills == 0
    assert controlled is not None
    assert controlled.patient_id == demo.controlled_patient.id


def test_facts_match_database(session_factory, demo):
    with session_factory() as session:
        margaret = session.get(Patient, demo.established_patient.id)
        upcoming = session.get(Appointment, demo.upcoming_appointment.id)
        late = session.get(Appointment, demo.late_cancel_appointment.id)
        no_refills = session.get(Prescription, demo.no_refills_prescription.id)
        plan = session.get(Plan, demo.not_accepted_plan.id)
        new_patient_visits = session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(Appointment.patient_id == demo.new_patient.id)
        )
        assert upcoming is not None
        assert upcoming.provider.last_name == "Patel"
        assert upcoming.appointment_type.duration_minutes == 20
    assert margaret is not None
    assert (margaret.first_name, margaret.last_name) == ("Margaret", "Chen")
    assert margaret.date_of_birth == demo.established_patient.date_of_birth
    local_start = upcoming.starts_at.astimezone(ZONE)
    assert (local_start.month, local_start.day, local_start.hour, local_start.minute) == (
        3,
        10,
        9,
        15,
    )
    assert upcoming.status is AppointmentStatus.BOOKED
    assert late is not None
    assert demo.now < late.starts_at < demo.now + timedelta(hours=24)
    assert late.patient_id == demo.look_alike_patients[0].id
    assert no_refills is not None and no_refills.refills_left == 0
    assert plan is not None and not plan.accepted
    assert new_patient_visits == 0
    assert demo.now == demo_now(DEMO_TODAY, "America/New_York")


def _blocks_by_appointment(session: Session) -> Counter[int]:
    return Counter(session.scalars(select(AppointmentBlock.appointment_id)))


def test_blocks_cover_active_appointments(sqlite_url):
    factory = make_session_factory(make_engine(sqlite_url))
    with factory() as session:
        blocks = _blocks_by_appointment(session)
        appointments = session.scalars(select(Appointment)).all()
    for appointment in appointments:
        minutes = (appointment.ends_at - appointment.starts_at).total_seconds() / 60
        expected = int(minutes) // BLOCK_MINUTES if appointment.status in ACTIVE_STATUSES else 0
        assert blocks[appointment.id] == expected, appointment.id


def test_appointments_respect_schedules(sqlite_url, demo):
    factory = make_session_factory(make_engine(sqlite_url))
    with factory() as session:
        windows = {
            (w.provider_id, w.weekday, w.start_time, w.end_time)
            for w in session.scalars(select(ProviderSchedule))
        }
        closed = set(session.scalars(select(Holiday.day)))
        time_off = session.scalars(select(ProviderTimeOff)).all()
        appointments = session.scalars(select(Appointment)).all()
    for appointment in appointments:
        start = appointment.starts_at.astimezone(ZONE)
        end = appointment.ends_at.astimezone(ZONE)
        assert start.date() not in closed
        assert any(
            provider == appointment.provider_id
            and weekday == start.weekday()
            and begin <= start.time()
            and end.time() <= finish
            for provider, weekday, begin, finish in windows
        ), appointment.id
        for absence in time_off:
            overlaps = (
                absence.starts_at < appointment.ends_at and appointment.starts_at < absence.ends_at
            )
            assert not (absence.provider_id == appointment.provider_id and overlaps)
    last_day = max(a.starts_at.astimezone(ZONE).date() for a in appointments)
    first_day = min(a.starts_at.astimezone(ZONE).date() for a in appointments)
    assert last_day >= DEMO_TODAY + timedelta(days=55)
    assert first_day <= DEMO_TODAY - timedelta(days=25)


def test_future_utilisation_near_target(sqlite_url, demo):
    factory = make_session_factory(make_engine(sqlite_url))
    window_end = demo.now + timedelta(days=60)
    with factory() as session:
        closed = set(session.scalars(select(Holiday.day)))
        schedule = session.scalars(select(ProviderSchedule)).all()
        booked_blocks = session.scalar(
            select(func.count())
            .select_from(AppointmentBlock)
            .where(AppointmentBlock.block_start >= demo.now)
            .where(AppointmentBlock.block_start < window_end)
        )
    working_minutes = 0
    for offset in range(60):
        day = DEMO_TODAY + timedelta(days=offset)
        if day in closed:
            continue
        for window in schedule:
            if window.weekday == day.weekday():
                begin = window.start_time.hour * 60 + window.start_time.minute
                finish = window.end_time.hour * 60 + window.end_time.minute
                working_minutes += finish - begin
    utilisation = (booked_blocks or 0) * BLOCK_MINUTES / working_minutes
    assert abs(utilisation - TARGET_UTILISATION) < 0.08


def test_large_clinic_seed(tmp_path):
    url = f"sqlite:///{tmp_path / 'large.sqlite3'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    facts = seed_large_clinic(factory, today=DEMO_TODAY, providers=12, patients=800)
    with factory() as session:
        providers = session.scalar(select(func.count()).select_from(Provider))
        patients = session.scalar(select(func.count()).select_from(Patient))
    assert len(facts.provider_ids) == 12
    assert providers == 12
    assert patients == 800
    assert facts.counts["appointment_block"] > 0
