"""``frontdesk chat``: talk to the receptionist in text, against a clinic database.

Each line typed (or read from ``--script``) is one caller turn; the agent's sentences are
printed as they would be spoken. At the end the command lists what the conversation
changed in the database: appointments booked, moved or cancelled, refill requests, new
patients and staff tasks.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from agent.events import AgentEvent, Hangup, Speech, ToolFinished, ToolStarted, Transfer
from agent.factory import build_session
from agent.session import AgentSession
from clinic.db import make_engine, make_session_factory
from clinic.demo import create_demo_database, demo_now
from clinic.models import Appointment, Clinic, Patient, RefillRequest, StaffTask
from frontdesk.settings import Settings

PROMPT = "You: "


def register(subparsers: Any) -> None:
    """Add the ``chat`` command."""
    parser = subparsers.add_parser(
        "chat",
        help="talk to the receptionist in text",
        description="Hold a text conversation with the receptionist and show what it "
        "changed in the clinic database. Uses FRONTDESK_DATABASE_URL unless --demo is given.",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="seed a temporary demo clinic (Maple Grove Family Medicine) and chat with it",
    )
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: FRONTDESK_DATABASE_URL)")
    parser.add_argument(
        "--script",
        type=Path,
        metavar="FILE",
        help="read caller lines from FILE, one turn per line, instead of the keyboard",
    )
    parser.add_argument(
        "--show-tools", action="store_true", help="print every tool call and its result"
    )
    parser.add_argument(
        "--caller-number",
        metavar="E164",
        help="the caller ID to present, such as +18025550142 (default: none)",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="pin the clock to 9:00 AM local time on this date (with --demo, the clinic is "
        "seeded around it); default: the real clock",
    )
    parser.set_defaults(handler=_chat)


@dataclass(frozen=True)
class Snapshot:
    """The rows a conversation may change, as they were before it."""

    appointments: dict[int, tuple[str, datetime, int]]
    refill_ids: frozenset[int]
    task_ids: frozenset[int]
    patient_ids: frozenset[int]


def take_snapshot(factory: sessionmaker[Session]) -> Snapshot:
    """Record the state of appointments, refill requests, tasks and patients."""
    with factory() as session:
        appointments = {
            row.id: (row.status.value, row.starts_at, row.provider_id)
            for row in session.scalars(select(Appointment))
        }
        refills = frozenset(session.scalars(select(RefillRequest.id)))
        tasks = frozenset(session.scalars(select(StaffTask.id)))
        patients = frozenset(session.scalars(select(Patient.id)))
    return Snapshot(appointments, refills, tasks, patients)


def describe_changes(factory: sessionmaker[Session], before: Snapshot) -> list[str]:
    """Return one line per row the conversation created or changed."""
    lines: list[str] = []
    with factory() as session:
        timezone = session.scalar(select(Clinic.timezone).order_by(Clinic.id).limit(1))
        zone = ZoneInfo(timezone or "UTC")
        for appointment in session.scalars(select(Appointment).order_by(Appointment.id)):
            previous = before.appointments.get(appointment.id)
            local = appointment.starts_at.astimezone(zone)
            what = (
                f"{appointment.appointment_type.code} for {appointment.patient.full_name} "
                f"with {appointment.provider.display_name} at "
                f"{local:%Y-%m-%d %H:%M} ({zone.key})"
            )
            if previous is None:
                lines.append(f"new appointment #{appointment.id}: {what}")
            elif previous[0] != appointment.status.value:
                lines.append(
                    f"appointment #{appointment.id} {previous[0]} -> {appointment.status.value}: "
                    f"{what}"
                )
        for refill in session.scalars(select(RefillRequest).order_by(RefillRequest.id)):
            if refill.id not in before.refill_ids:
                lines.append(
                    f"new refill request #{refill.id}: {refill.medication_text} "
                    f"({refill.status.value}, {refill.urgency}) for {refill.patient.full_name}"
                )
        for patient in session.scalars(select(Patient).order_by(Patient.id)):
            if patient.id not in before.patient_ids:
                lines.append(
                    f"new patient #{patient.id}: {patient.full_name} ({patient.status.value})"
                )
        for task in session.scalars(select(StaffTask).order_by(StaffTask.id)):
            if task.id not in before.task_ids:
                lines.append(
                    f"new staff task #{task.id} [{task.priority.value} {task.kind.value}]: "
                    f"{task.title}"
                )
    return lines


def print_event(event: AgentEvent, *, show_tools: bool, out: TextIO) -> None:
    """Print one agent event the way the chat shows it."""
    if isinstance(event, Speech):
        print(f"Agent: {event.text}", file=out)
    elif isinstance(event, ToolStarted) and show_tools:
        print(f"  [tool] {event.name} {event.arguments}", file=out)
    elif isinstance(event, ToolFinished) and show_tools:
        result = event.result
        status = "ok" if result.get("ok") else f"failed: {result.get('error')}"
        print(f"  [result] {status}: {result.get('message')}", file=out)
        if result.get("data"):
            print(f"  [data] {result['data']}", file=out)
    elif isinstance(event, Transfer):
        target = event.number or "a callback (message taken)"
        print(f"  [transfer to {target}: {event.reason}, {event.urgency}]", file=out)
    elif isinstance(event, Hangup):
        print(f"  [call ended: {event.reason}]", file=out)


async def converse(
    session: AgentSession,
    lines: list[str] | None,
    *,
    show_tools: bool,
    out: TextIO | None = None,
) -> None:
    """Run one conversation: the greeting, then caller turns until the lines or the call end.

    Args:
        session: The agent session of the call.
        lines: Caller turns to send, or None to read them from the keyboard.
        show_tools: Print tool calls and results.
        out: Where the conversation is printed (default: the current ``sys.stdout``).
    """
    # Looked up per call, not at import, so a replaced sys.stdout (pytest's capture) is used.
    out = out if out is not None else sys.stdout
    async for event in session.greet():
        print_event(event, show_tools=show_tools, out=out)
    turns = iter(lines) if lines is not None else None
    while True:
        if turns is not None:
            text = next(turns, None)
            if text is None:
                break
            print(f"{PROMPT}{text}", file=out)
        else:
            try:
                text = await asyncio.to_thread(input, PROMPT)
            except EOFError:
                break
        ended = False
        async for event in session.respond(text):
            print_event(event, show_tools=show_tools, out=out)
            ended = ended or isinstance(event, Hangup | Transfer)
        if ended:
            break
    await session.finish()


def _pinned_now(factory: sessionmaker[Session], today: date) -> datetime:
    with factory() as session:
        timezone = session.scalar(select(Clinic.timezone).order_by(Clinic.id).limit(1))
    return demo_now(today, timezone or "UTC")


def _chat(args: argparse.Namespace) -> int:
    settings = Settings()
    lines = None
    if args.script is not None:
        text = args.script.read_text(encoding="utf-8")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
    directory = Path(tempfile.mkdtemp(prefix="frontdesk-chat-")) if args.demo else None
    try:
        now: datetime | None = None
        if directory is not None:
            url, now = create_demo_database(directory, args.today)
            print("Demo clinic seeded in a temporary database.", file=sys.stderr)
        else:
            url = args.database_url or settings.database_url
        engine = make_engine(url)
        try:
            factory = make_session_factory(engine)
            if now is None and args.today is not None:
                now = _pinned_now(factory, args.today)
            return _run(settings, factory, args, lines, now)
        finally:
            engine.dispose()
    finally:
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)


def _run(
    settings: Settings,
    factory: sessionmaker[Session],
    args: argparse.Namespace,
    lines: list[str] | None,
    now: datetime | None,
) -> int:
    before = take_snapshot(factory)
    session = build_session(
        settings,
        factory,
        call_sid=f"CHAT{uuid.uuid4().hex[:28]}",
        caller_number=args.caller_number,
        channel="chat",
        now=now,
    )
    asyncio.run(converse(session, lines, show_tools=args.show_tools))
    changes = describe_changes(factory, before)
    print("\nChanges in the database:" if changes else "\nNo changes in the database.")
    for line in changes:
        print(f"  {line}")
    return 0
