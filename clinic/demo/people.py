"""Patients of a seeded clinic: a cast of known patients plus generated ones."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from clinic.demo import data
from clinic.demo.names import (
    FIRST_NAMES_FEMALE,
    FIRST_NAMES_MALE,
    SPANISH_FIRST_NAMES_FEMALE,
    SPANISH_FIRST_NAMES_MALE,
    SPANISH_SURNAMES,
    SURNAMES,
)
from clinic.demo.rows import RowSet


@dataclass(frozen=True)
class KeyPatientSpec:
    """A patient scenarios refer to by role; see :class:`clinic.demo.facts.DemoFacts`."""

    role: str
    first_name: str
    last_name: str
    date_of_birth: date
    phone: str
    language: str = "en"
    status: str = "active"
    # (payer, plan) of the coverage on file; None for no coverage.
    plan: tuple[str, str] | None = ("Blue Cross and Blue Shield of Vermont", "BlueCare PPO")
    # The policy holder when the patient is a dependant.
    subscriber: str | None = None


KEY_PATIENTS: tuple[KeyPatientSpec, ...] = (
    KeyPatientSpec("established", "Margaret", "Chen", date(1958, 4, 12), "+18025550142"),
    KeyPatientSpec(
        "same_name_older",
        "James",
        "Miller",
        date(1971, 6, 3),
        "+18025550187",
        plan=("Aetna", "Open Access Managed Choice"),
    ),
    KeyPatientSpec(
        "same_name_younger",
        "James",
        "Miller",
        date(1989, 11, 20),
        "+18025550163",
        plan=("Cigna", "Open Access Plus"),
    ),
    KeyPatientSpec(
        "look_alike_john",
        "John",
        "Smith",
        date(1980, 2, 14),
        "+18025550121",
        plan=("UnitedHealthcare", "Choice Plus"),
    ),
    KeyPatientSpec("look_alike_jon", "Jon", "Smyth", date(1979, 8, 30), "+18025550135"),
    KeyPatientSpec(
        "spanish",
        "María José",
        "García-López",
        date(1985, 9, 22),
        "+18025550178",
        language="es",
        plan=("Green Mountain Care", "Dr. Dynasaur and Medicaid"),
    ),
    KeyPatientSpec(
        "apostrophe",
        "Anne-Marie",
        "O'Connor",
        date(1966, 12, 5),
        "+18025550154",
        plan=("Medicare", "Original Medicare Part B"),
    ),
    KeyPatientSpec(
        "parent",
        "Laura",
        "Wilson",
        date(1988, 3, 9),
        "+18025550119",
        plan=("Cigna", "Open Access Plus"),
    ),
    KeyPatientSpec(
        "child",
        "Emma",
        "Wilson",
        date(2019, 7, 15),
        "+18025550119",
        plan=("Cigna", "Open Access Plus"),
        subscriber="Laura Wilson",
    ),
    KeyPatientSpec("uninsured", "Tyler", "Nguyen", date(1997, 5, 28), "+18025550196", plan=None),
    KeyPatientSpec(
        "not_accepted",
        "Walter",
        "Brooks",
        date(1948, 10, 2),
        "+18025550111",
        plan=("Humana", "Gold Plus HMO"),
    ),
    KeyPatientSpec(
        "new_patient",
        "Priya",
        "Shah",
        date(1993, 1, 17),
        "+18025550128",
        plan=("Cigna", "Open Access Plus"),
    ),
    KeyPatientSpec(
        "controlled",
        "Daniel",
        "Novak",
        date(1975, 7, 19),
        "+18025550146",
        plan=("Aetna", "Open Access Managed Choice"),
    ),
    KeyPatientSpec(
        "pending_review",
        "Kevin",
        "O'Brien",
        date(2001, 8, 8),
        "+18025550172",
        status="pending_review",
        plan=None,
    ),
)


@dataclass(frozen=True)
class PatientSeed:
    """What later stages need to know about a seeded patient."""

    id: int
    first_name: str
    last_name: str
    date_of_birth: date
    phone: str
    language: str
    age: int
    status: str = "active"
    # Known patients get only curated coverage, prescriptions and bookings.
    key_role: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def age_on(born: date, day: date) -> int:
    """Return the age in whole years on ``day`` of someone born on ``born``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def ascii_fold(text: str) -> str:
    """Strip accents and anything but letters, for email addresses."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalpha()).lower()


def _address(rng: random.Random) -> str:
    town, zip_code = rng.choice(data.TOWNS)
    return f"{rng.randint(2, 1450)} {rng.choice(data.STREETS)}, {town}, VT {zip_code}"


def _phone_numbers(rng: random.Random, count: int, reserved: set[str]) -> list[str]:
    # Fictional numbers in the 555 exchange of three area codes around the clinic.
    area_codes = ("802", "603", "518")
    pool = rng.sample(range(len(area_codes) * 10_000), count + len(reserved) + 100)
    numbers: list[str] = []
    for value in pool:
        area, line = divmod(value, 10_000)
        number = f"+1{area_codes[area]}555{line:04d}"
        if number not in reserved and not (area == 0 and 100 <= line <= 199):
            numbers.append(number)
        if len(numbers) == count:
            break
    return numbers


def _spanish_surname(rng: random.Random) -> str:
    first, second = rng.sample(SPANISH_SURNAMES, 2)
    form = rng.random()
    if form < 0.4:
        return first
    if form < 0.7:
        return f"{first} {second}"
    return f"{first}-{second}"


def _generated_name(rng: random.Random) -> tuple[str, str, str]:
    """Return a first name, a last name and a preferred language."""
    female = rng.random() < 0.5
    if rng.random() < 0.12:
        names = SPANISH_FIRST_NAMES_FEMALE if female else SPANISH_FIRST_NAMES_MALE
        language = "es" if rng.random() < 0.55 else "en"
        return rng.choice(names), _spanish_surname(rng), language
    names = FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.04:
        surname = f"{surname}-{rng.choice(SURNAMES)}"
    return rng.choice(names), surname, "en"


def _birth_date(rng: random.Random, today: date) -> date:
    band = rng.random()
    if band < 0.2:
        age_days = rng.randint(60, 17 * 365)
    elif band < 0.8:
        age_days = rng.randint(18 * 365 + 5, 64 * 365)
    else:
        age_days = rng.randint(65 * 365 + 17, 96 * 365)
    return today - timedelta(days=age_days)


def _patient_row(
    rng: random.Random,
    *,
    first_name: str,
    last_name: str,
    phone: str,
    now: datetime,
    status: str = "active",
) -> dict[str, object]:
    email = None
    if rng.random() < 0.5:
        email = f"{ascii_fold(first_name)}.{ascii_fold(last_name)}{rng.randint(1, 99)}@example.com"
    created_days_ago = rng.randint(20, 3_000)
    return {
        "mobile_phone": phone if rng.random() < 0.6 else None,
        "email": email,
        "address": _address(rng),
        "status": status,
        "created_at": datetime.combine(
            now.date() - timedelta(days=created_days_ago), time(14, 0), tzinfo=UTC
        ),
        "created_by_call_id": None,
    }


def add_key_patients(rows: RowSet, *, today: date, now: datetime, seed: int) -> list[PatientSeed]:
    """Add the known patients, first, so their ids are small and stable."""
    rng = random.Random(f"{seed}:key-patients")
    seeds: list[PatientSeed] = []
    for spec in KEY_PATIENTS:
        extra = _patient_row(
            rng,
            first_name=spec.first_name,
            last_name=spec.last_name,
            phone=spec.phone,
            now=now,
            status=spec.status,
        )
        if spec.role == "pending_review":
            extra["created_at"] = now - timedelta(days=2)
        patient_id = rows.add(
            "patient",
            first_name=spec.first_name,
            last_name=spec.last_name,
            date_of_birth=spec.date_of_birth,
            phone=spec.phone,
            preferred_language=spec.language,
            **extra,
        )
        seeds.append(
            PatientSeed(
                patient_id,
                spec.first_name,
                spec.last_name,
                spec.date_of_birth,
                spec.phone,
                spec.language,
                age_on(spec.date_of_birth, today),
                spec.status,
                key_role=spec.role,
            )
        )
    return seeds


def add_generated_patients(
    rows: RowSet,
    *,
    count: int,
    today: date,
    now: datetime,
    seed: int,
    reserved_names: set[str],
    reserved_phones: set[str],
) -> list[PatientSeed]:
    """Add ``count`` invented patients with unique full names and phone numbers.

    Args:
        reserved_names: Lower-case full names no generated patient may take, so that the
            known same-name and look-alike patients stay the only ones of their kind.
        reserved_phones: Numbers of the known patients.
    """
    rng = random.Random(f"{seed}:patients")
    phones = _phone_numbers(rng, count, reserved_phones)
    taken = set(reserved_names)
    seeds: list[PatientSeed] = []
    while len(seeds) < count:
        first_name, last_name, language = _generated_name(rng)
        full_name = f"{first_name} {last_name}".lower()
        if full_name in taken:
            continue
        taken.add(full_name)
        born = _birth_date(rng, today)
        phone = phones[len(seeds)]
        status = "inactive" if rng.random() < 0.02 else "active"
        extra = _patient_row(
            rng, first_name=first_name, last_name=last_name, phone=phone, now=now, status=status
        )
        patient_id = rows.add(
            "patient",
            first_name=first_name,
            last_name=last_name,
            date_of_birth=born,
            phone=phone,
            preferred_language=language,
            **extra,
        )
        seeds.append(
            PatientSeed(
                patient_id,
                first_name,
                last_name,
                born,
                phone,
                language,
                age_on(born, today),
                status,
            )
        )
    return seeds
