"""The practice side of a seeded clinic: the clinic, its calendar, providers and payers."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinic.demo import data
from clinic.demo.calendar import local_to_utc, next_weekday, us_holidays
from clinic.demo.names import FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, SURNAMES
from clinic.demo.rows import RowSet


@dataclass
class ProviderTemplate:
    """A seeded provider and the weekly windows the booking generator fills."""

    id: int
    key: str
    appointment_types: tuple[str, ...]
    windows: dict[int, list[tuple[time, time]]]


@dataclass
class Practice:
    """Ids and calendar facts that patients and bookings are generated against."""

    clinic_id: int
    zone: ZoneInfo
    today: date
    now: datetime
    closed_days: set[date]
    closure_day: date
    providers: list[ProviderTemplate]
    type_ids: dict[str, int]
    type_minutes: dict[str, int]
    # (payer name, plan name) -> (plan id, accepted)
    plans: dict[tuple[str, str], tuple[int, bool]]
    pharmacy_ids: dict[str, int]
    # Provider id -> UTC intervals the provider is away.
    time_off: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)

    def provider(self, key: str) -> ProviderTemplate:
        """Return the provider seeded under ``key`` (a lower-case last name in the demo)."""
        for template in self.providers:
            if template.key == key:
                return template
        raise KeyError(f"No provider seeded under the key {key!r}.")


def add_clinic(rows: RowSet, *, name: str, today: date) -> tuple[int, set[date], date]:
    """Add the clinic row and its holidays, one of them a staff training day.

    Returns:
        The clinic id, every closed day, and the training day, a weekday about three weeks
        after ``today``.
    """
    clinic_id = rows.add(
        "clinic",
        name=name,
        timezone=data.CLINIC_TIMEZONE,
        address="402 Maple Grove Road, Suite 200, Burlington, VT 05401",
        phone="+18025550100",
        fax="+18025550101",
        portal_url="https://portal.maplegrovefm.example",
        parking="Free parking in the lot behind the building; the entrance is on the "
        "accessible ramp side. Overflow parking is across the street at the library.",
        hours=data.CLINIC_HOURS,
        transfer_number="+18025550102",
        nurse_line="+18025550103",
        after_hours_policy="take_message",
        late_cancel_hours=24,
        late_cancel_fee_cents=5000,
    )
    closure_day = next_weekday(today + timedelta(days=14), 4)
    closed: dict[date, str] = {}
    for year in (today.year - 1, today.year, today.year + 1):
        closed.update(us_holidays(year))
    closed[closure_day] = "Staff training day"
    for day, holiday_name in sorted(closed.items()):
        rows.add("holiday", clinic_id=clinic_id, day=day, name=holiday_name)
    return clinic_id, set(closed), closure_day


def add_appointment_types(rows: RowSet) -> tuple[dict[str, int], dict[str, int]]:
    """Add the eight visit types; return their ids and lengths in minutes by code."""
    ids: dict[str, int] = {}
    minutes: dict[str, int] = {}
    for spec in data.APPOINTMENT_TYPES:
        ids[spec.code] = rows.add(
            "appointment_type",
            code=spec.code,
            name=spec.name,
            duration_minutes=spec.duration_minutes,
            for_new_patients=spec.for_new_patients,
            for_established_patients=spec.for_established_patients,
        )
        minutes[spec.code] = spec.duration_minutes
    return ids, minutes


def add_provider(
    rows: RowSet,
    *,
    clinic_id: int,
    spec: data.ProviderSpec,
    type_ids: dict[str, int],
) -> ProviderTemplate:
    """Add a provider, their weekly template and the visit types they offer."""
    provider_id = rows.add(
        "provider",
        clinic_id=clinic_id,
        title=spec.title,
        first_name=spec.first_name,
        last_name=spec.last_name,
        specialty=spec.specialty,
        active=True,
    )
    windows: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for weekday, start, end in spec.windows:
        rows.add(
            "provider_schedule",
            provider_id=provider_id,
            weekday=weekday,
            start_time=start,
            end_time=end,
        )
        windows[weekday].append((start, end))
    for code in spec.appointment_types:
        rows.add_keyless(
            "provider_appointment_type",
            provider_id=provider_id,
            appointment_type_id=type_ids[code],
        )
    return ProviderTemplate(provider_id, spec.key, spec.appointment_types, dict(windows))


def generated_provider_specs(count: int, rng: random.Random) -> list[data.ProviderSpec]:
    """Invent ``count`` providers for the large clinic, cycling the demo's roles and hours."""
    specs: list[data.ProviderSpec] = []
    names: set[tuple[str, str]] = set()
    while len(specs) < count:
        index = len(specs)
        first_names = FIRST_NAMES_FEMALE if index % 2 else FIRST_NAMES_MALE
        name = (rng.choice(first_names), rng.choice(SURNAMES))
        if name in names:
            continue
        names.add(name)
        specialty, types = data.LARGE_CLINIC_SPECIALTIES[index % len(data.PROVIDERS)]
        title = rng.choices(("Dr.", "NP", "PA"), weights=(7, 2, 1))[0]
        specs.append(
            data.ProviderSpec(
                key=f"provider_{index + 1}",
                title=title,
                first_name=name[0],
                last_name=name[1],
                specialty=specialty,
                appointment_types=types,
                windows=data.LARGE_CLINIC_WINDOWS[index % len(data.PROVIDERS)],
            )
        )
    return specs


def add_time_off(
    rows: RowSet,
    practice: Practice,
    *,
    provider_key: str,
    first_day: date,
    last_day: date,
    hours: tuple[time, time] | None,
    reason: str,
) -> None:
    """Record an absence: whole days from ``first_day`` to ``last_day``, or ``hours`` of one day."""
    provider = practice.provider(provider_key)
    if hours is None:
        starts_at = local_to_utc(first_day, time(0), practice.zone)
        ends_at = local_to_utc(last_day + timedelta(days=1), time(0), practice.zone)
    else:
        starts_at = local_to_utc(first_day, hours[0], practice.zone)
        ends_at = local_to_utc(first_day, hours[1], practice.zone)
    rows.add(
        "provider_time_off",
        provider_id=provider.id,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
    )
    practice.time_off.setdefault(provider.id, []).append((starts_at, ends_at))


def add_payers(rows: RowSet, type_ids: dict[str, int]) -> dict[tuple[str, str], tuple[int, bool]]:
    """Add payers, their plans and, for accepted plans, a copay per visit type."""
    payer_ids = {
        spec.name: rows.add("payer", name=spec.name, member_id_pattern=spec.member_id_pattern)
        for spec in data.PAYERS
    }
    plans: dict[tuple[str, str], tuple[int, bool]] = {}
    for plan in data.PLANS:
        plan_id = rows.add(
            "plan",
            payer_id=payer_ids[plan.payer],
            name=plan.name,
            plan_type=plan.plan_type,
            accepted=plan.accepted,
        )
        plans[(plan.payer, plan.name)] = (plan_id, plan.accepted)
        if not plan.accepted:
            continue
        for code, factor in data.COPAY_FACTORS.items():
            rows.add(
                "plan_copay",
                plan_id=plan_id,
                appointment_type_id=type_ids[code],
                copay_cents=round(plan.base_copay * factor) * 100,
            )
    return plans


def add_pharmacies(rows: RowSet) -> dict[str, int]:
    """Add the pharmacies patients use; return their ids by name."""
    return {
        name: rows.add("pharmacy", name=name, phone=phone, address=address)
        for name, phone, address in data.PHARMACIES
    }


def build_practice(
    rows: RowSet,
    *,
    today: date,
    now: datetime,
    provider_specs: list[data.ProviderSpec],
    clinic_name: str = data.CLINIC_NAME,
) -> Practice:
    """Add everything but patients and bookings, and return the ids later stages need."""
    if now.tzinfo is None:
        raise ValueError("The seeding clock must be timezone-aware; pass a UTC datetime.")
    clinic_id, closed_days, closure_day = add_clinic(rows, name=clinic_name, today=today)
    type_ids, type_minutes = add_appointment_types(rows)
    providers = [
        add_provider(rows, clinic_id=clinic_id, spec=spec, type_ids=type_ids)
        for spec in provider_specs
    ]
    return Practice(
        clinic_id=clinic_id,
        zone=ZoneInfo(data.CLINIC_TIMEZONE),
        today=today,
        now=now.astimezone(UTC),
        closed_days=closed_days,
        closure_day=closure_day,
        providers=providers,
        type_ids=type_ids,
        type_minutes=type_minutes,
        plans=add_payers(rows, type_ids),
        pharmacy_ids=add_pharmacies(rows),
    )
