"""What a seeded clinic contains that tests, evals and benchmarks refer to by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class DemoPatient:
    """A patient with known identity details, as a caller would state them."""

    id: int
    first_name: str
    last_name: str
    date_of_birth: date
    phone: str
    preferred_language: str = "en"

    @property
    def full_name(self) -> str:
        """First and last name, such as "María José García-López"."""
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class DemoPlan:
    """An insurance plan and whether the clinic accepts it."""

    id: int
    payer_name: str
    plan_name: str
    accepted: bool

    @property
    def display_name(self) -> str:
        """Payer and plan, such as "Cigna Open Access Plus"."""
        return f"{self.payer_name} {self.plan_name}"


@dataclass(frozen=True)
class DemoPrescription:
    """A prescription on a known patient's chart."""

    id: int
    patient_id: int
    drug_name: str
    strength: str
    refills_left: int
    controlled_schedule: str | None
    prescriber_id: int


@dataclass(frozen=True)
class DemoAppointment:
    """A booked appointment of a known patient."""

    id: int
    patient_id: int
    provider_id: int
    appointment_type: str
    starts_at: datetime


@dataclass(frozen=True)
class DemoTimeOff:
    """A provider's absence: whole days, or part of one day."""

    provider_id: int
    starts_at: datetime
    ends_at: datetime
    reason: str


@dataclass(frozen=True)
class DemoFacts:
    """Ids and details of the demo clinic that scenarios rely on.

    The same seed and ``today`` give the same ids on SQLite and PostgreSQL, because every
    row is inserted with an explicit primary key.

    Attributes:
        clinic_id: The clinic's id.
        clinic_name: The clinic's name, which the greeting states.
        timezone: The clinic's IANA time zone.
        today: The local date the clinic was seeded around.
        now: The pinned current instant (UTC), 9:00 AM local on ``today``; appointments
            that ended before it are completed or no-shows.
        provider_ids: Provider ids by lower-case last name ("patel", "okafor", ...).
        appointment_type_ids: Appointment type ids by code ("follow_up", ...).
        pharmacy_ids: Pharmacy ids by name ("CVS Pharmacy", ...).
        established_patient: Margaret Chen: an accepted plan, refillable and no-refill
            prescriptions, past visits and ``upcoming_appointment``.
        same_name_patients: Two patients named James Miller with different dates of birth
            and phones; the older one has an upcoming annual physical.
        look_alike_patients: John Smith and Jon Smyth, a spelling apart; John Smith holds
            ``late_cancel_appointment``.
        spanish_speaking_patient: María José García-López, preferred language "es".
        apostrophe_patient: Anne-Marie O'Connor (hyphen and apostrophe in the name).
        child_patient: Emma Wilson, six years old in 2026, covered under her mother
            ``parent_patient`` (Laura Wilson), who shares her phone number.
        uninsured_patient: Tyler Nguyen, no coverage on file.
        not_accepted_patient: Walter Brooks, covered only by ``not_accepted_plan``.
        new_patient: Priya Shah: a chart but no visits yet, so only new-patient visits fit.
        controlled_patient: Daniel Novak, holder of the two controlled prescriptions.
        pending_review_patient: Kevin O'Brien, registered by phone and awaiting staff review.
        accepted_plan: The established patient's plan (accepted, copays on file).
        not_accepted_plan: A plan the clinic does not accept.
        refillable_prescription: Lisinopril with refills left (Margaret Chen).
        no_refills_prescription: Atorvastatin with no refills left (Margaret Chen).
        controlled_prescription: Oxycodone, DEA schedule II, no refills (Daniel Novak).
        schedule_iv_prescription: Alprazolam, DEA schedule IV, refills left (Daniel Novak).
        upcoming_appointment: Margaret Chen's 20-minute follow-up with Dr. Patel at 9:15 AM
            on the first day Dr. Patel works at least eight days after ``today``.
        late_cancel_appointment: John Smith's follow-up at Dr. Okafor's first free start
            three or more hours after ``now``. On ``DEMO_TODAY`` it is 1:00 PM that day,
            inside the 24-hour late-cancellation window; seeded on a Friday, it falls on
            Monday, outside it.
        closure_day: A weekday in the booking window on which the clinic is closed.
        time_off: Provider absences inside the booking window: a week for Sarah Thompson, NP
            and an afternoon for Dr. Kim.
        counts: Row counts by table name.
    """

    clinic_id: int
    clinic_name: str
    timezone: str
    today: date
    now: datetime
    provider_ids: dict[str, int]
    appointment_type_ids: dict[str, int]
    pharmacy_ids: dict[str, int]
    established_patient: DemoPatient
    same_name_patients: tuple[DemoPatient, DemoPatient]
    look_alike_patients: tuple[DemoPatient, DemoPatient]
    spanish_speaking_patient: DemoPatient
    apostrophe_patient: DemoPatient
    child_patient: DemoPatient
    parent_patient: DemoPatient
    uninsured_patient: DemoPatient
    not_accepted_patient: DemoPatient
    new_patient: DemoPatient
    controlled_patient: DemoPatient
    pending_review_patient: DemoPatient
    accepted_plan: DemoPlan
    not_accepted_plan: DemoPlan
    refillable_prescription: DemoPrescription
    no_refills_prescription: DemoPrescription
    controlled_prescription: DemoPrescription
    schedule_iv_prescription: DemoPrescription
    upcoming_appointment: DemoAppointment
    late_cancel_appointment: DemoAppointment
    closure_day: date
    time_off: tuple[DemoTimeOff, ...]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LargeClinicFacts:
    """Ids of the large benchmark clinic.

    Attributes:
        clinic_id: The clinic's id.
        today: The local date the clinic was seeded around.
        now: The pinned current instant (UTC), 9:00 AM local on ``today``.
        provider_ids: Every provider's id, in insertion order.
        appointment_type_ids: Appointment type ids by code.
        counts: Row counts by table name.
    """

    clinic_id: int
    today: date
    now: datetime
    provider_ids: tuple[int, ...]
    appointment_type_ids: dict[str, int]
    counts: dict[str, int] = field(default_factory=dict)
