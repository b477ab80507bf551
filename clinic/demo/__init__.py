"""The demo clinic, Maple Grove Family Medicine, and a large clinic for benchmarks.

Seeding is deterministic: the same ``seed`` and ``today`` give the same rows and ids on
SQLite and PostgreSQL. Tests and evals seed around :data:`DEMO_TODAY` and pin their clock
to :func:`demo_now` of it.
"""

from clinic.demo.calendar import DEMO_TODAY, demo_now
from clinic.demo.database import create_demo_database
from clinic.demo.facts import (
    DemoAppointment,
    DemoFacts,
    DemoPatient,
    DemoPlan,
    DemoPrescription,
    DemoTimeOff,
    LargeClinicFacts,
)
from clinic.demo.seed import seed_demo_clinic, seed_large_clinic

__all__ = [
    "DEMO_TODAY",
    "DemoAppointment",
    "DemoFacts",
    "DemoPatient",
    "DemoPlan",
    "DemoPrescription",
    "DemoTimeOff",
    "LargeClinicFacts",
    "create_demo_database",
    "demo_now",
    "seed_demo_clinic",
    "seed_large_clinic",
]
