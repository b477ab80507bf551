"""Static reference data for the demo clinic: staff, visit types, payers, drugs and names.

Everything here is fictional. Payer names are real US insurers so that callers' questions
sound natural, but the plans, copays and member ids are invented; the phone numbers use the
555 exchange.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

CLINIC_NAME = "Maple Grove Family Medicine"
CLINIC_TIMEZONE = "America/New_York"

# Opening hours by weekday key; None means closed.
CLINIC_HOURS: dict[str, list[str] | None] = {
    "mon": ["08:00", "17:00"],
    "tue": ["08:00", "17:00"],
    "wed": ["08:00", "17:00"],
    "thu": ["08:00", "19:00"],
    "fri": ["08:00", "16:00"],
    "sat": ["09:00", "12:00"],
    "sun": None,
}

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class AppointmentTypeSpec:
    code: str
    name: str
    duration_minutes: int
    for_new_patients: bool
    for_established_patients: bool


APPOINTMENT_TYPES: tuple[AppointmentTypeSpec, ...] = (
    AppointmentTypeSpec("new_patient", "New patient visit", 45, True, False),
    AppointmentTypeSpec("follow_up", "Follow-up visit", 20, False, True),
    AppointmentTypeSpec("annual_physical", "Annual physical", 40, False, True),
    AppointmentTypeSpec("sick_visit", "Sick visit", 15, True, True),
    AppointmentTypeSpec("telehealth", "Telehealth visit", 20, False, True),
    AppointmentTypeSpec("well_child", "Well-child visit", 30, True, True),
    AppointmentTypeSpec("procedure", "Minor procedure", 30, False, True),
    AppointmentTypeSpec("medication_review", "Medication review", 15, False, True),
)

# A working window of a weekly template: weekday (0 is Monday), start, end.
Window = tuple[int, time, time]


def _day(weekday: int, *spans: tuple[str, str]) -> list[Window]:
    return [(weekday, time.fromisoformat(start), time.fromisoformat(end)) for start, end in spans]


_MORNING = ("08:00", "12:00")
_AFTERNOON = ("13:00", "17:00")


@dataclass(frozen=True)
class ProviderSpec:
    key: str
    title: str
    first_name: str
    last_name: str
    specialty: str
    appointment_types: tuple[str, ...]
    windows: tuple[Window, ...]


def _full_week(days: range, friday_end: str = "16:00") -> tuple[Window, ...]:
    windows: list[Window] = []
    for weekday in days:
        end = friday_end if weekday == 4 else _AFTERNOON[1]
        windows += _day(weekday, _MORNING, (_AFTERNOON[0], end))
    return tuple(windows)


PROVIDERS: tuple[ProviderSpec, ...] = (
    ProviderSpec(
        "patel",
        "Dr.",
        "Anita",
        "Patel",
        "Family Medicine",
        (
            "new_patient",
            "follow_up",
            "annual_physical",
            "sick_visit",
            "telehealth",
            "medication_review",
        ),
        _full_week(range(5)),
    ),
    ProviderSpec(
        "okafor",
        "Dr.",
        "Marcus",
        "Okafor",
        "Internal Medicine",
        (
            "new_patient",
            "follow_up",
            "annual_physical",
            "sick_visit",
            "telehealth",
            "medication_review",
        ),
        # Monday to Thursday, with a Thursday evening clinic until 7 PM.
        _full_week(range(3)) + tuple(_day(3, _MORNING, ("13:00", "19:00"))),
    ),
    ProviderSpec(
        "ramirez",
        "Dr.",
        "Elena",
        "Ramirez",
        "Pediatrics",
        ("new_patient", "follow_up", "well_child", "sick_visit", "telehealth"),
        # Wednesday is a half day.
        tuple(w for w in _full_week(range(5)) if not (w[0] == 2 and w[1].hour >= 13)),
    ),
    ProviderSpec(
        "kim",
        "Dr.",
        "David",
        "Kim",
        "Family Medicine and Procedures",
        ("new_patient", "follow_up", "annual_physical", "sick_visit", "procedure"),
        tuple(
            _day(1, _MORNING, _AFTERNOON)
            + _day(3, _MORNING, _AFTERNOON)
            + _day(5, ("09:00", "12:00"))
        ),
    ),
    ProviderSpec(
        "thompson",
        "NP",
        "Sarah",
        "Thompson",
        "Family Nurse Practitioner",
        ("follow_up", "sick_visit", "telehealth", "well_child", "medication_review"),
        # Mornings only, Monday to Friday.
        tuple(w for d in range(5) for w in _day(d, ("08:00", "13:00"))),
    ),
    ProviderSpec(
        "brennan",
        "PA",
        "Michael",
        "Brennan",
        "Physician Assistant, Acute Care",
        ("sick_visit", "follow_up", "procedure"),
        _full_week(range(0, 5, 2)),
    ),
    ProviderSpec(
        "liu",
        "Dr.",
        "Grace",
        "Liu",
        "Behavioral Health",
        ("new_patient", "follow_up", "telehealth", "medication_review"),
        # Tuesday and Thursday afternoons.
        tuple(_day(1, _AFTERNOON) + _day(3, _AFTERNOON)),
    ),
)

# Roles of generated providers in the large benchmark clinic, cycled.
LARGE_CLINIC_SPECIALTIES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (spec.specialty, spec.appointment_types) for spec in PROVIDERS
)
LARGE_CLINIC_WINDOWS: tuple[tuple[Window, ...], ...] = tuple(spec.windows for spec in PROVIDERS)


@dataclass(frozen=True)
class PayerSpec:
    name: str
    member_id_pattern: str
    # Template for generated member ids: "#" a digit, "@" a letter, "%" a letter or digit.
    member_id_template: str
    group_prefix: str | None


# Letters of a Medicare Beneficiary Identifier: A-Z without S, L, O, I, B and Z. The
# Medicare pattern below accepts any letter to fit the 100-character pattern column.
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"

PAYERS: tuple[PayerSpec, ...] = (
    PayerSpec("Aetna", r"W\d{9}", "W#########", "AET"),
    PayerSpec("Blue Cross and Blue Shield of Vermont", r"[A-Z]{3}\d{9}", "@@@#########", "BCB"),
    PayerSpec("Cigna", r"U\d{8}", "U########", "CIG"),
    PayerSpec("UnitedHealthcare", r"\d{9}", "#########", "UHC"),
    PayerSpec(
        "Medicare",
        r"[1-9][A-Z][A-Z0-9]\d[A-Z][A-Z0-9]\d[A-Z]{2}\d{2}",
        "!@%#@%#@@##",
        None,
    ),
    PayerSpec("Green Mountain Care", r"\d{10}", "##########", None),
    PayerSpec("Humana", r"H\d{8}", "H########", "HUM"),
    PayerSpec("MVP Health Care", r"MV\d{8}", "MV########", "MVP"),
)


@dataclass(frozen=True)
class PlanSpec:
    payer: str
    name: str
    plan_type: str
    accepted: bool
    # Copay in dollars for a follow-up; other visit types scale from it.
    base_copay: int


PLANS: tuple[PlanSpec, ...] = (
    PlanSpec("Aetna", "Open Access Managed Choice", "PPO", True, 30),
    PlanSpec("Aetna", "Medicare Advantage HMO", "Medicare", False, 15),
    PlanSpec("Blue Cross and Blue Shield of Vermont", "BlueCare PPO", "PPO", True, 25),
    PlanSpec("Cigna", "Open Access Plus", "PPO", True, 35),
    PlanSpec("UnitedHealthcare", "Choice Plus", "PPO", True, 40),
    PlanSpec("UnitedHealthcare", "Community Plan", "Medicaid", False, 0),
    PlanSpec("Medicare", "Original Medicare Part B", "Medicare", True, 0),
    PlanSpec("Green Mountain Care", "Dr. Dynasaur and Medicaid", "Medicaid", True, 0),
    PlanSpec("Humana", "Gold Plus HMO", "Medicare", False, 10),
    PlanSpec("MVP Health Care", "Preferred EPO", "EPO", False, 30),
)

# Copay of each visit type as a multiple of the plan's follow-up copay; preventive visits
# cost nothing, as US plans cover them in full.
COPAY_FACTORS: dict[str, float] = {
    "new_patient": 1.5,
    "follow_up": 1.0,
    "annual_physical": 0.0,
    "sick_visit": 1.0,
    "telehealth": 0.5,
    "well_child": 0.0,
    "procedure": 2.0,
    "medication_review": 1.0,
}

PHARMACIES: tuple[tuple[str, str, str], ...] = (
    ("CVS Pharmacy", "+18025550311", "88 Church Street, Burlington, VT 05401"),
    ("Walgreens", "+18025550322", "1150 Williston Road, South Burlington, VT 05403"),
    ("Kinney Drugs", "+18025550333", "36 Main Street, Winooski, VT 05404"),
    ("Hannaford Pharmacy", "+18025550344", "217 Dorset Street, South Burlington, VT 05403"),
    (
        "Maple Grove Community Pharmacy",
        "+18025550355",
        "402 Maple Grove Road, Burlington, VT 05401",
    ),
    ("Rite Aid", "+18025550366", "158 Pearl Street, Essex Junction, VT 05452"),
)


@dataclass(frozen=True)
class DrugSpec:
    name: str
    strength: str
    directions: str
    schedule: str | None = None


ROUTINE_DRUGS: tuple[DrugSpec, ...] = (
    DrugSpec("Lisinopril", "10 mg", "Take 1 tablet by mouth once daily"),
    DrugSpec("Atorvastatin", "20 mg", "Take 1 tablet by mouth at bedtime"),
    DrugSpec("Metformin", "500 mg", "Take 1 tablet by mouth twice daily with meals"),
    DrugSpec("Levothyroxine", "50 mcg", "Take 1 tablet by mouth every morning"),
    DrugSpec("Amlodipine", "5 mg", "Take 1 tablet by mouth once daily"),
    DrugSpec("Sertraline", "50 mg", "Take 1 tablet by mouth once daily"),
    DrugSpec("Omeprazole", "20 mg", "Take 1 capsule by mouth before breakfast"),
    DrugSpec("Albuterol inhaler", "90 mcg", "Inhale 2 puffs every 4 to 6 hours as needed"),
    DrugSpec("Losartan", "50 mg", "Take 1 tablet by mouth once daily"),
    DrugSpec("Hydrochlorothiazide", "25 mg", "Take 1 tablet by mouth every morning"),
    DrugSpec("Montelukast", "10 mg", "Take 1 tablet by mouth at bedtime"),
    DrugSpec("Gabapentin", "300 mg", "Take 1 capsule by mouth three times daily"),
    DrugSpec("Fluticasone nasal spray", "50 mcg", "Use 2 sprays in each nostril daily"),
    DrugSpec("Escitalopram", "10 mg", "Take 1 tablet by mouth once daily"),
)

CONTROLLED_DRUGS: tuple[DrugSpec, ...] = (
    DrugSpec("Oxycodone", "5 mg", "Take 1 tablet by mouth every 6 hours as needed for pain", "II"),
    DrugSpec("Methylphenidate", "10 mg", "Take 1 tablet by mouth twice daily", "II"),
    DrugSpec("Amphetamine-dextroamphetamine", "20 mg", "Take 1 capsule every morning", "II"),
    DrugSpec("Alprazolam", "0.5 mg", "Take 1 tablet by mouth up to twice daily as needed", "IV"),
    DrugSpec("Zolpidem", "10 mg", "Take 1 tablet by mouth at bedtime as needed", "IV"),
    DrugSpec("Lorazepam", "1 mg", "Take 1 tablet by mouth as needed for anxiety", "IV"),
    DrugSpec("Tramadol", "50 mg", "Take 1 tablet by mouth every 6 hours as needed", "IV"),
)

VISIT_REASONS: dict[str, tuple[str, ...]] = {
    "new_patient": ("Establish care", "Transfer of care from another practice"),
    "follow_up": (
        "Blood pressure check",
        "Diabetes follow-up",
        "Lab results review",
        "Recheck after sick visit",
        "Thyroid follow-up",
    ),
    "annual_physical": ("Annual physical",),
    "sick_visit": (
        "Sore throat",
        "Cough and fever",
        "Ear pain",
        "Rash",
        "Back pain",
        "Urinary symptoms",
    ),
    "telehealth": ("Medication question", "Follow-up by video", "Anxiety follow-up"),
    "well_child": ("Well-child check", "School physical", "Sports physical"),
    "procedure": ("Skin tag removal", "Mole biopsy", "Joint injection", "Wart treatment"),
    "medication_review": ("Medication review", "Refill review"),
}

TOWNS: tuple[tuple[str, str], ...] = (
    ("Burlington", "05401"),
    ("South Burlington", "05403"),
    ("Winooski", "05404"),
    ("Essex Junction", "05452"),
    ("Colchester", "05446"),
    ("Williston", "05495"),
    ("Shelburne", "05482"),
    ("Milton", "05468"),
)

STREETS: tuple[str, ...] = (
    "Main Street",
    "Pearl Street",
    "Shelburne Road",
    "North Avenue",
    "Colchester Avenue",
    "Spear Street",
    "Dorset Street",
    "Hinesburg Road",
    "Lake Street",
    "Elm Street",
    "Maple Street",
    "Hillside Drive",
    "Birch Lane",
    "Orchard Road",
    "Mountain View Drive",
)
