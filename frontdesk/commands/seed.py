"""``frontdesk seed``: migrate a database and seed the demo clinic into it."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import make_engine, make_session_factory, transaction
from clinic.demo import seed_demo_clinic
from clinic.migrate import upgrade
from clinic.models import Base, Clinic
from frontdesk.settings import Settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "seed",
        help="create the demo clinic, Maple Grove Family Medicine, in a database",
        description=(
            "Apply the migrations, then seed the demo clinic: providers, appointment types, "
            "300 patients, insurance plans, prescriptions and two months of appointments."
        ),
    )
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: FRONTDESK_DATABASE_URL)")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the clinic's current local date; bookings span 30 days before it to 60 days "
        "after (default: today, with the current time as the clock)",
    )
    parser.add_argument(
        "--seed", type=int, default=7, help="random seed; the same seed gives the same clinic"
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="delete every row in the database first, including calls and staff users",
    )
    parser.set_defaults(handler=_seed)


def _clinic_count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Clinic)) or 0


def _delete_everything(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))


def _seed(args: argparse.Namespace) -> int:
    url = args.database_url or Settings().database_url
    upgrade(url)
    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        if _clinic_count(factory):
            if not args.reset:
                print(
                    "The database already contains a clinic; nothing was seeded. Pass --reset "
                    "to delete all its data and seed the demo clinic again.",
                    file=sys.stderr,
                )
                return 1
            _delete_everything(factory)
        # With --today the clock is pinned to 9:00 AM that day, as in tests; without it the
        # real clock separates past visits from booked ones.
        today = args.today or date.today()
        now = None if args.today else datetime.now(UTC)
        started = time.perf_counter()
        facts = seed_demo_clinic(factory, today=today, seed=args.seed, now=now)
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()

    counts = facts.counts
    print(
        f"Seeded {facts.clinic_name} (clinic {facts.clinic_id}) around {today} in {elapsed:.1f} s:"
    )
    for table in (
        "provider",
        "appointment_type",
        "patient",
        "plan",
        "coverage",
        "prescription",
        "appointment",
    ):
        print(f"  {table.replace('_', ' ')}s: {counts.get(table, 0)}")
    return 0
