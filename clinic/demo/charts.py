"""Insurance coverage and prescriptions on seeded patients' charts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from clinic.demo import data
from clinic.demo.names import FIRST_NAMES_FEMALE, FIRST_NAMES_MALE
from clinic.demo.people import KEY_PATIENTS, PatientSeed
from clinic.demo.practice import Practice
from clinic.demo.rows import RowSet

_DIGITS = "0123456789"
_MBI_ALNUM = data.MBI_LETTERS + _DIGITS


def member_id(template: str, rng: random.Random) -> str:
    """Fill a payer's member id template.

    ``#`` becomes a digit, ``!`` a digit from 1 to 9, ``@`` a letter and ``%`` a letter or
    digit; letters come from the Medicare identifier alphabet, which every payer's pattern
    allows. Anything else is kept as is.
    """
    characters: list[str] = []
    for symbol in template:
        if symbol == "#":
            characters.append(rng.choice(_DIGITS))
        elif symbol == "!":
            characters.append(rng.choice(_DIGITS[1:]))
        elif symbol == "@":
            characters.append(rng.choice(data.MBI_LETTERS))
        elif symbol == "%":
            characters.append(rng.choice(_MBI_ALNUM))
        else:
            characters.append(symbol)
    return "".join(characters)


_PAYERS = {spec.name: spec for spec in data.PAYERS}

# Plan mixes by age band: (payer, plan) or None for uninsured, with weights.
_CHILD_PLANS: tuple[tuple[tuple[str, str] | None, int], ...] = (
    (("Green Mountain Care", "Dr. Dynasaur and Medicaid"), 40),
    (("Blue Cross and Blue Shield of Vermont", "BlueCare PPO"), 20),
    (("Cigna", "Open Access Plus"), 12),
    (("Aetna", "Open Access Managed Choice"), 10),
    (("MVP Health Care", "Preferred EPO"), 8),
    (None, 10),
)
_ADULT_PLANS: tuple[tuple[tuple[str, str] | None, int], ...] = (
    (("Blue Cross and Blue Shield of Vermont", "BlueCare PPO"), 26),
    (("Aetna", "Open Access Managed Choice"), 14),
    (("Cigna", "Open Access Plus"), 12),
    (("UnitedHealthcare", "Choice Plus"), 12),
    (("UnitedHealthcare", "Community Plan"), 5),
    (("MVP Health Care", "Preferred EPO"), 6),
    (("Green Mountain Care", "Dr. Dynasaur and Medicaid"), 12),
    (None, 8),
)
_SENIOR_PLANS: tuple[tuple[tuple[str, str] | None, int], ...] = (
    (("Medicare", "Original Medicare Part B"), 60),
    (("Humana", "Gold Plus HMO"), 15),
    (("Aetna", "Medicare Advantage HMO"), 15),
    (("Blue Cross and Blue Shield of Vermont", "BlueCare PPO"), 7),
    (None, 3),
)


def _pick_plan(rng: random.Random, age: int) -> tuple[str, str] | None:
    table = _CHILD_PLANS if age < 18 else _SENIOR_PLANS if age >= 65 else _ADULT_PLANS
    plans = [plan for plan, _ in table]
    weights = [weight for _, weight in table]
    return rng.choices(plans, weights=weights)[0]


def _add_coverage(
    rows: RowSet,
    practice: Practice,
    rng: random.Random,
    *,
    patient: PatientSeed,
    plan: tuple[str, str],
    subscriber: str | None,
    effective_from: date,
    effective_to: date | None = None,
) -> None:
    payer = _PAYERS[plan[0]]
    plan_id, _accepted = practice.plans[plan]
    group = f"{payer.group_prefix}{rng.randint(10_000, 99_999)}" if payer.group_prefix else None
    rows.add(
        "coverage",
        patient_id=patient.id,
        plan_id=plan_id,
        member_id=member_id(payer.member_id_template, rng),
        group_number=group,
        subscriber_name=subscriber or patient.full_name,
        relationship_to_subscriber="child" if subscriber else "self",
        effective_from=effective_from,
        effective_to=effective_to,
        status="active" if effective_to is None else "inactive",
    )


def add_coverages(
    rows: RowSet, practice: Practice, patients: list[PatientSeed], *, seed: int
) -> None:
    """Give most patients a coverage, some an expired one too, by age-typical plan mixes."""
    rng = random.Random(f"{seed}:coverage")
    key_specs = {spec.role: spec for spec in KEY_PATIENTS}
    today = practice.today
    for patient in patients:
        if patient.key_role is not None:
            spec = key_specs[patient.key_role]
            if spec.plan is not None:
                _add_coverage(
                    rows,
                    practice,
                    rng,
                    patient=patient,
                    plan=spec.plan,
                    subscriber=spec.subscriber,
                    effective_from=date(today.year, 1, 1),
                )
            continue
        plan = _pick_plan(rng, patient.age)
        if plan is None:
            continue
        subscriber = None
        if patient.age < 18:
            parent_first = rng.choice(FIRST_NAMES_FEMALE + FIRST_NAMES_MALE)
            subscriber = f"{parent_first} {patient.last_name}"
        if rng.random() < 0.06:
            # An older policy the patient has since replaced.
            old_plan = _pick_plan(rng, max(patient.age, 18)) or plan
            _add_coverage(
                rows,
                practice,
                rng,
                patient=patient,
                plan=old_plan,
                subscriber=subscriber,
                effective_from=date(today.year - 3, 1, 1),
                effective_to=date(today.year - 1, 12, 31),
            )
        _add_coverage(
            rows,
            practice,
            rng,
            patient=patient,
            plan=plan,
            subscriber=subscriber,
            effective_from=today - timedelta(days=rng.randint(30, 2_000)),
        )


@dataclass(frozen=True)
class KeyPrescriptionSpec:
    name: str
    patient_role: str
    drug: data.DrugSpec
    prescriber_key: str
    refills_left: int
    pharmacy: str


KEY_PRESCRIPTIONS: tuple[KeyPrescriptionSpec, ...] = (
    KeyPrescriptionSpec(
        "refillable", "established", data.ROUTINE_DRUGS[0], "patel", 3, "CVS Pharmacy"
    ),
    KeyPrescriptionSpec(
        "no_refills", "established", data.ROUTINE_DRUGS[1], "patel", 0, "CVS Pharmacy"
    ),
    KeyPrescriptionSpec(
        "controlled", "controlled", data.CONTROLLED_DRUGS[0], "kim", 0, "Walgreens"
    ),
    KeyPrescriptionSpec(
        "schedule_iv", "controlled", data.CONTROLLED_DRUGS[3], "liu", 2, "Walgreens"
    ),
    KeyPrescriptionSpec(
        "spanish_metformin", "spanish", data.ROUTINE_DRUGS[2], "patel", 5, "Kinney Drugs"
    ),
)

_PSYCHIATRIC = {
    "Sertraline",
    "Escitalopram",
    "Alprazolam",
    "Lorazepam",
    "Zolpidem",
    "Methylphenidate",
    "Amphetamine-dextroamphetamine",
}


def _add_prescription(
    rows: RowSet,
    *,
    patient_id: int,
    prescriber_id: int,
    drug: data.DrugSpec,
    refills_left: int,
    last_filled_on: date,
    pharmacy_id: int,
    active: bool = True,
) -> int:
    return rows.add(
        "prescription",
        patient_id=patient_id,
        prescriber_id=prescriber_id,
        drug_name=drug.name,
        strength=drug.strength,
        directions=drug.directions,
        # Schedule II prescriptions cannot carry refills under US federal law.
        refills_left=0 if drug.schedule == "II" else refills_left,
        last_filled_on=last_filled_on,
        controlled_schedule=drug.schedule,
        pharmacy_id=pharmacy_id,
        active=active,
    )


def add_prescriptions(
    rows: RowSet,
    practice: Practice,
    patients: list[PatientSeed],
    *,
    seed: int,
    with_key_prescriptions: bool,
) -> dict[str, int]:
    """Add prescriptions: curated ones for known patients, random ones for adults.

    Returns:
        The curated prescriptions' ids by name ("refillable", "no_refills", ...).
    """
    rng = random.Random(f"{seed}:prescriptions")
    today = practice.today
    key_ids: dict[str, int] = {}
    if with_key_prescriptions:
        by_role = {patient.key_role: patient for patient in patients if patient.key_role}
        for spec in KEY_PRESCRIPTIONS:
            key_ids[spec.name] = _add_prescription(
                rows,
                patient_id=by_role[spec.patient_role].id,
                prescriber_id=practice.provider(spec.prescriber_key).id,
                drug=spec.drug,
                refills_left=spec.refills_left,
                last_filled_on=today - timedelta(days=26),
                pharmacy_id=practice.pharmacy_ids[spec.pharmacy],
            )

    prescribers = [p.id for p in practice.providers if "follow_up" in p.appointment_types]
    psychiatric = [p.id for p in practice.providers if "medication_review" in p.appointment_types]
    pharmacy_ids = list(practice.pharmacy_ids.values())
    for patient in patients:
        if patient.key_role is not None or patient.age < 18 or rng.random() > 0.45:
            continue
        drugs = rng.sample(data.ROUTINE_DRUGS, rng.randint(1, 3))
        if rng.random() < 0.09:
            drugs.append(rng.choice(data.CONTROLLED_DRUGS))
        pharmacy_id = rng.choice(pharmacy_ids)
        for drug in drugs:
            pool = psychiatric if drug.name in _PSYCHIATRIC and psychiatric else prescribers
            _add_prescription(
                rows,
                patient_id=patient.id,
                prescriber_id=rng.choice(pool),
                drug=drug,
                refills_left=0 if rng.random() < 0.15 else rng.randint(1, 5),
                last_filled_on=today - timedelta(days=rng.randint(5, 80)),
                pharmacy_id=pharmacy_id,
                active=rng.random() > 0.05,
            )
    return key_ids
