"""Appointments of a seeded clinic and the five-minute blocks each booked one claims."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from clinic.demo import data
from clinic.demo.calendar import local_to_utc
from clinic.demo.people import PatientSeed
from clinic.demo.practice import Practice, ProviderTemplate
from clinic.demo.rows import RowSet
from clinic.models import BLOCK_MINUTES

TARGET_UTILISATION = 0.7
"""Approximate share of providers' working time the generated bookings fill."""

# The walk aims above the target because cancellations, visits that do not fit before the
# end of a window and days a patient is already booked free about an eighth of what it books.
_WALK_UTILISATION = 0.8

# Relative frequency of each visit type among a provider's bookings.
_TYPE_WEIGHTS = {
    "follow_up": 30,
    "sick_visit": 20,
    "well_child": 12,
    "annual_physical": 10,
    "telehealth": 10,
    "medication_review": 8,
    "procedure": 6,
    "new_patient": 6,
}
_ADULT_TYPES = {"annual_physical", "procedure", "medication_review"}
_MIN_GAP, _MAX_GAP = 5, 15
_BLOCK = timedelta(minutes=BLOCK_MINUTES)


@dataclass(frozen=True)
class Booking:
    """A seeded appointment, as facts report it."""

    id: int
    patient_id: int
    provider_id: int
    appointment_type: str
    starts_at: datetime


@dataclass
class Booker:
    """Places appointments without overlaps, honouring hours, closures and time off."""

    rows: RowSet
    practice: Practice
    rng: random.Random
    occupied: dict[int, set[datetime]] = field(default_factory=lambda: defaultdict(set))
    patient_days: dict[int, set[date]] = field(default_factory=lambda: defaultdict(set))

    def is_free(self, provider_id: int, starts_at: datetime, minutes: int) -> bool:
        """Return whether the provider has no booking and no time off in the span."""
        ends_at = starts_at + timedelta(minutes=minutes)
        for away_from, away_to in self.practice.time_off.get(provider_id, ()):
            if starts_at < away_to and away_from < ends_at:
                return False
        occupied = self.occupied[provider_id]
        blocks = (starts_at + k * _BLOCK for k in range(minutes // BLOCK_MINUTES))
        return all(block not in occupied for block in blocks)

    def book(
        self,
        provider: ProviderTemplate,
        patient: PatientSeed,
        code: str,
        starts_at: datetime,
        *,
        status: str | None = None,
    ) -> Booking:
        """Add one appointment; a booked, completed or no-show one also takes its blocks."""
        minutes = self.practice.type_minutes[code]
        ends_at = starts_at + timedelta(minutes=minutes)
        now = self.practice.now
        if status is None:
            status = "completed" if ends_at <= now else "booked"
        booked_days_before = timedelta(days=self.rng.randint(1, 30), hours=self.rng.randint(0, 8))
        created_at = min(starts_at - booked_days_before, now - timedelta(hours=1))
        cancelled = status == "cancelled"
        appointment_id = self.rows.add(
            "appointment",
            patient_id=patient.id,
            provider_id=provider.id,
            appointment_type_id=self.practice.type_ids[code],
            starts_at=starts_at,
            ends_at=ends_at,
            status=status,
            reason=self.rng.choice(data.VISIT_REASONS[code]),
            booked_by="seed",
            booked_from_call_id=None,
            rescheduled_from_id=None,
            created_at=created_at,
            cancelled_at=min(starts_at - timedelta(hours=30), now) if cancelled else None,
            cancellation_reason="Patient request" if cancelled else None,
            late_cancellation=False,
        )
        if not cancelled:
            for k in range(minutes // BLOCK_MINUTES):
                block_start = starts_at + k * _BLOCK
                self.rows.add_keyless(
                    "appointment_block",
                    provider_id=provider.id,
                    block_start=block_start,
                    appointment_id=appointment_id,
                )
                self.occupied[provider.id].add(block_start)
            local_day = starts_at.astimezone(self.practice.zone).date()
            self.patient_days[patient.id].add(local_day)
        return Booking(appointment_id, patient.id, provider.id, code, starts_at)

    def working_start(
        self, provider: ProviderTemplate, *, first_day: date, at: time, code: str
    ) -> datetime:
        """Return ``at`` on the first day from ``first_day`` the provider can take ``code``."""
        minutes = self.practice.type_minutes[code]
        for offset in range(60):
            day = first_day + timedelta(days=offset)
            if day in self.practice.closed_days or not _fits(provider, day, at, minutes):
                continue
            starts_at = local_to_utc(day, at, self.practice.zone)
            if self.is_free(provider.id, starts_at, minutes):
                return starts_at
        raise ValueError(f"No free {code} at {at} for provider {provider.key} within 60 days.")

    def earliest_start(self, provider: ProviderTemplate, *, after: datetime, code: str) -> datetime:
        """Return the first free quarter-hour start for ``code`` at or after ``after``."""
        minutes = self.practice.type_minutes[code]
        zone = self.practice.zone
        first_day = after.astimezone(zone).date()
        for offset in range(60):
            day = first_day + timedelta(days=offset)
            if day in self.practice.closed_days:
                continue
            for window_start, window_end in provider.windows.get(day.weekday(), ()):
                cursor = _minutes(window_start)
                while cursor + minutes <= _minutes(window_end):
                    starts_at = local_to_utc(day, _clock(cursor), zone)
                    if starts_at >= after and self.is_free(provider.id, starts_at, minutes):
                        return starts_at
                    cursor += 15
        raise ValueError(f"No free {code} for provider {provider.key} within 60 days.")


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _fits(provider: ProviderTemplate, day: date, at: time, minutes: int) -> bool:
    start = _minutes(at)
    return any(
        _minutes(begin) <= start and start + minutes <= _minutes(end)
        for begin, end in provider.windows.get(day.weekday(), ())
    )


@dataclass
class _Pools:
    """Patients eligible for generated bookings, by kind."""

    children: list[PatientSeed]
    adults: list[PatientSeed]
    established: list[PatientSeed]
    # Patients never seen; each gets at most one new-patient visit.
    new: list[PatientSeed]


NEW_PATIENT_SHARE = 0.12
"""Share of generated patients with a chart but no visit before the seeded window."""


def _fill_probability(mean_minutes: float) -> float:
    # Each step either books a visit (mean_minutes long) or leaves a gap; this probability
    # makes the booked share of time equal TARGET_UTILISATION on average.
    mean_gap = (_MIN_GAP + _MAX_GAP) / 2
    u = _WALK_UTILISATION
    return u * mean_gap / (mean_minutes * (1 - u) + u * mean_gap)


class BookingFiller:
    """Fills providers' calendars with generated appointments around curated ones."""

    def __init__(self, booker: Booker, patients: list[PatientSeed]) -> None:
        self.booker = booker
        self.rng = booker.rng
        eligible = [p for p in patients if p.key_role is None and p.status == "active"]
        new = self.rng.sample(eligible, round(len(eligible) * NEW_PATIENT_SHARE))
        new_ids = {p.id for p in new}
        established = [p for p in eligible if p.id not in new_ids]
        self.pools = _Pools(
            children=[p for p in established if p.age < 18],
            adults=[p for p in established if p.age >= 18],
            established=established,
            new=new,
        )

    def fill(self, *, first_day: date, last_day: date) -> None:
        """Book every provider's working days from ``first_day`` to ``last_day`` inclusive."""
        practice = self.booker.practice
        for provider in practice.providers:
            codes = list(provider.appointment_types)
            weights = [_TYPE_WEIGHTS[code] for code in codes]
            mean_minutes = sum(
                practice.type_minutes[c] * w for c, w in zip(codes, weights, strict=True)
            ) / sum(weights)
            probability = _fill_probability(mean_minutes)
            day = first_day
            while day <= last_day:
                if day not in practice.closed_days:
                    for start, end in provider.windows.get(day.weekday(), ()):
                        self._fill_window(provider, day, start, end, codes, weights, probability)
                day += timedelta(days=1)

    def _fill_window(
        self,
        provider: ProviderTemplate,
        day: date,
        start: time,
        end: time,
        codes: list[str],
        weights: list[int],
        probability: float,
    ) -> None:
        practice = self.booker.practice
        cursor, window_end = _minutes(start), _minutes(end)
        while cursor < window_end:
            if self.rng.random() >= probability:
                cursor += self.rng.randrange(_MIN_GAP, _MAX_GAP + 1, BLOCK_MINUTES)
                continue
            code = self.rng.choices(codes, weights=weights)[0]
            minutes = practice.type_minutes[code]
            starts_at = local_to_utc(day, _clock(cursor), practice.zone)
            if cursor + minutes > window_end or not self.booker.is_free(
                provider.id, starts_at, minutes
            ):
                cursor += BLOCK_MINUTES
                continue
            patient = self._pick_patient(provider, code, day)
            if patient is None:
                cursor += BLOCK_MINUTES
                continue
            self.booker.book(provider, patient, code, starts_at, status=self._status(starts_at))
            cursor += minutes

    def _status(self, starts_at: datetime) -> str:
        draw = self.rng.random()
        if starts_at < self.booker.practice.now:
            if draw < 0.05:
                return "no_show"
            if draw < 0.08:
                return "cancelled"
            return "completed"
        return "cancelled" if draw < 0.05 else "booked"

    def _pick_patient(self, provider: ProviderTemplate, code: str, day: date) -> PatientSeed | None:
        if code == "new_patient":
            return self.pools.new.pop() if self.pools.new else None
        pediatric = "well_child" in provider.appointment_types and "annual_physical" not in (
            provider.appointment_types
        )
        if code == "well_child" or (pediatric and self.rng.random() < 0.8):
            pool = self.pools.children
        elif code in _ADULT_TYPES:
            pool = self.pools.adults
        else:
            pool = self.pools.established
        for _ in range(12):
            patient = self.rng.choice(pool)
            if day not in self.booker.patient_days[patient.id]:
                return patient
        return None
