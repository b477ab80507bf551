"""``frontdesk demo``: a simulated phone call that books a visit at the demo clinic.

The demo seeds Maple Grove Family Medicine into a temporary SQLite database, places a call
through the real Twilio webhook, media-stream websocket and audio pipeline (see
``frontdesk call``), and then prints the appointments the call booked.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from clinic.db import make_engine, make_session_factory
from clinic.demo import DEMO_TODAY, create_demo_database
from clinic.models import Appointment, Clinic
from tools.datetimes import utc_to_local

SCRIPT = "booking-call.txt"


def register(subparsers: Any) -> None:
    """Add the ``demo`` command."""
    parser = subparsers.add_parser(
        "demo",
        help="place a simulated phone call that books a visit at the demo clinic",
        description=(
            "Seed the demo clinic into a temporary database, call it from the simulated phone "
            "through audio end to end, and print the transcript and the appointment booked."
        ),
    )
    parser.add_argument(
        "--script",
        type=Path,
        metavar="FILE",
        help="caller lines to say instead of the built-in booking call",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary database and print its path",
    )
    parser.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from frontdesk.cli import main

    directory = Path(tempfile.mkdtemp(prefix="frontdesk-demo-"))
    try:
        url, _ = create_demo_database(directory, DEMO_TODAY)
        script = args.script or Path(str(resources.files("frontdesk.demo") / SCRIPT))
        os.environ["FRONTDESK_DATABASE_URL"] = url
        status = main(["call", "--today", DEMO_TODAY.isoformat(), "--script", str(script)])
        booked = _print_booked(url)
        if args.keep:
            print(f"Demo database kept at {directory / 'demo.sqlite3'}")
        if status != 0:
            return status
        return 0 if booked else 1
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


def _print_booked(url: str) -> int:
    """Print the appointments booked during calls and return how many there were."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            timezone = session.scalars(select(Clinic.timezone)).first() or "UTC"
            appointments = session.scalars(
                select(Appointment)
                .where(Appointment.booked_from_call_id.is_not(None))
                .options(
                    selectinload(Appointment.patient),
                    selectinload(Appointment.provider),
                    selectinload(Appointment.appointment_type),
                )
                .order_by(Appointment.id)
            ).all()
            print()
            if not appointments:
                print("The call booked no appointment.")
            for appointment in appointments:
                local = utc_to_local(appointment.starts_at, timezone)
                print(
                    f"New appointment #{appointment.id}: {appointment.appointment_type.name} for "
                    f"{appointment.patient.full_name} with {appointment.provider.display_name} "
                    f"on {local:%A, %B %d at %I:%M %p} ({timezone}), status "
                    f"{appointment.status.value}."
                )
            return len(appointments)
    finally:
        engine.dispose()
