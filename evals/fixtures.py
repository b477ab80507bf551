"""Clinic fixtures for eval runs: the demo clinic at a pinned time, one database per run.

Migrating and seeding the demo clinic takes about half a second, so each distinct pinned
time is seeded once into a template SQLite file and every run gets a copy of it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import make_engine, make_session_factory, transaction
from clinic.demo import DemoFacts, seed_demo_clinic
from clinic.demo.data import CLINIC_TIMEZONE
from clinic.migrate import upgrade
from clinic.models import (
    BLOCK_MINUTES,
    Appointment,
    AppointmentBlock,
    AppointmentStatus,
    AppointmentType,
    Patient,
    Provider,
)
from evals.scenario import Fixture, FixtureAppointment, Scenario


class FixtureError(ValueError):
    """A scenario's fixture refers to something the demo clinic does not have."""


@dataclass
class ClinicDatabase:
    """One run's private copy of the fixture database."""

    url: str
    engine: Engine
    session_factory: sessionmaker[Session]
    facts: DemoFacts
    now: datetime
    timezone: ZoneInfo

    def close(self) -> None:
        """Close the run's connections so the file can be removed."""
        self.engine.dispose()


class FixtureFactory:
    """Seed a template database per pinned time and copy it for each run.

    Args:
        work_dir: Where template and per-run database files go; the caller removes it.
    """

    def __init__(self, work_dir: Path) -> None:
        self._dir = work_dir
        self._templates: dict[datetime, tuple[Path, DemoFacts]] = {}
        self._runs = 0

    def pinned_now(self, fixture: Fixture) -> datetime:
        """Return the fixture's pinned time as an aware UTC datetime."""
        local = fixture.now
        if local.tzinfo is None:
            local = local.replace(tzinfo=ZoneInfo(CLINIC_TIMEZONE))
        return local.astimezone(UTC)

    def _template(self, now: datetime) -> tuple[Path, DemoFacts]:
        if now not in self._templates:
            path = self._dir / f"template-{len(self._templates)}.sqlite3"
            url = f"sqlite:///{path}"
            upgrade(url)
            engine = make_engine(url)
            try:
                today = now.astimezone(ZoneInfo(CLINIC_TIMEZONE)).date()
                facts = seed_demo_clinic(make_session_factory(engine), today=today, now=now)
            finally:
                # Closing every connection checkpoints the WAL into the main file.
                engine.dispose()
            self._templates[now] = (path, facts)
        return self._templates[now]

    def create(self, fixture: Fixture) -> ClinicDatabase:
        """Return a fresh database for one run of a scenario with ``fixture``.

        Raises:
            FixtureError: An added appointment names an unknown patient, provider or type.
        """
        now = self.pinned_now(fixture)
        template, facts = self._template(now)
        self._runs += 1
        path = self._dir / f"run-{self._runs}.sqlite3"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        session_factory = make_session_factory(engine)
        timezone = ZoneInfo(facts.timezone)
        database = ClinicDatabase(url, engine, session_factory, facts, now, timezone)
        try:
            for appointment in fixture.appointments:
                _add_appointment(session_factory, appointment, timezone=timezone, now=now)
        except FixtureError:
            database.close()
            raise
        except IntegrityError as exc:
            database.close()
            raise FixtureError(
                "fixture appointment overlaps a seeded booking of the same provider; "
                "pick a free time."
            ) from exc
        return database


def fixture_problems(scenarios: Iterable[Scenario]) -> list[str]:
    """Build every scenario's fixture once and return what the demo clinic rejected.

    Each problem names the scenario; an empty list means every fixture can be built.
    Scenarios without added appointments are skipped, as the seed alone always builds.
    """
    problems: list[str] = []
    work_dir = Path(tempfile.mkdtemp(prefix="frontdesk-fixtures-"))
    try:
        factory = FixtureFactory(work_dir)
        for scenario in scenarios:
            if not scenario.fixture.appointments:
                continue
            try:
                factory.create(scenario.fixture).close()
            except FixtureError as exc:
                problems.append(f"{scenario.id}: {exc}")
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return problems


def _one(session: Session, rows: list[int], what: str, name: str) -> int:
    if len(rows) != 1:
        found = "no" if not rows else f"{len(rows)}"
        raise FixtureError(f"fixture appointment: {found} {what} match {name!r}; name exactly one.")
    return rows[0]


def _add_appointment(
    session_factory: sessionmaker[Session],
    spec: FixtureAppointment,
    *,
    timezone: ZoneInfo,
    now: datetime,
) -> None:
    with transaction(session_factory) as session:
        wanted = spec.patient.casefold()
        patient_id = _one(
            session,
            [p.id for p in session.scalars(select(Patient)) if p.full_name.casefold() == wanted],
            "patients",
            spec.patient,
        )
        provider_name = spec.provider.casefold()
        provider_id = _one(
            session,
            [
                p.id
                for p in session.scalars(select(Provider))
                if provider_name in (p.last_name.casefold(), p.display_name.casefold())
            ],
            "providers",
            spec.provider,
        )
        kind = session.scalars(
            select(AppointmentType).where(AppointmentType.code == spec.appointment_type)
        ).first()
        if kind is None:
            raise FixtureError(
                f"fixture appointment: no appointment type {spec.appointment_type!r}."
            )
        starts_at = spec.starts_at
        if starts_at.tzinfo is None:
            starts_at = starts_at.replace(tzinfo=timezone)
        starts_at = starts_at.astimezone(UTC)
        ends_at = starts_at + timedelta(minutes=kind.duration_minutes)
        appointment = Appointment(
            patient_id=patient_id,
            provider_id=provider_id,
            appointment_type_id=kind.id,
            starts_at=starts_at,
            ends_at=ends_at,
            status=AppointmentStatus.BOOKED,
            booked_by="seed",
            created_at=now - timedelta(days=7),
        )
        session.add(appointment)
        session.flush()
        # The fixture claims its blocks like any booking, so the double-booking guard sees it.
        block = starts_at
        while block < ends_at:
            session.add(
                AppointmentBlock(
                    provider_id=provider_id, block_start=block, appointment_id=appointment.id
                )
            )
            block += timedelta(minutes=BLOCK_MINUTES)
