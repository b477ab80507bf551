"""``frontdesk call``: a phone call to the receptionist from the simulated phone.

The simulated phone plays Twilio's side over the real webhook and websocket (see
:mod:`telephony.phone`): caller lines are synthesized with piper and sent as 8 kHz mu-law at
real-time pace, and the agent's audio is transcribed back with Whisper. The transcript is
printed as the call goes, with the time from the end of each caller turn to the agent's
first audio and the agent's tool calls (read from the call record).

Without ``--url`` the app runs inside this process, sharing its speech models, on a free
port of 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import make_engine, make_session_factory
from clinic.models import Call, ToolCallRecord, TranscriptTurn
from frontdesk.settings import Settings
from telephony.caller_audio import ulaw_to_pipeline_pcm
from telephony.scripted_caller import ScriptLine, TurnResult
from telephony.speech import LocalSpeechModels, load_speech_models

Printer = TextIO


def register(subparsers: Any) -> None:
    """Add the ``call`` command."""
    parser = subparsers.add_parser(
        "call",
        help="call the receptionist from a simulated phone",
        description=(
            "Place a simulated phone call over the real Twilio webhook and media stream. "
            "Caller lines come from the arguments or --script; 'dtmf:0315#' presses keys, "
            "'silence:9' stays quiet for nine seconds, 'barge:TEXT' talks over the agent's "
            "next reply, and 'hangup' hangs up."
        ),
    )
    parser.add_argument("lines", nargs="*", metavar="LINE", help="caller lines, one per turn")
    parser.add_argument("--script", type=Path, metavar="FILE", help="read caller lines from FILE")
    parser.add_argument(
        "--url",
        help="call a running server at this URL (default: run the app in this process)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="in-process only: seed a temporary demo clinic and call it",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="in-process only: pin the clock to 9:00 AM on this date (with --demo, the clinic "
        "is seeded around it)",
    )
    parser.add_argument(
        "--from-number", default="+18025550142", metavar="E164", help="the caller ID to present"
    )
    parser.set_defaults(handler=_call)


def _call(args: argparse.Namespace) -> int:
    from telephony.pipecat_logs import configure_pipecat_logging
    from telephony.scripted_caller import ScriptError, parse_script_line

    configure_pipecat_logging()
    if not args.verbose:
        # The transcript is the output; the in-process server's request logs would bury it.
        logging.getLogger().setLevel(logging.WARNING)

    texts = list(args.lines)
    if args.script is not None:
        texts += [t for t in args.script.read_text(encoding="utf-8").splitlines() if t.strip()]
    try:
        lines = [parse_script_line(text) for text in texts]
    except ScriptError as error:
        print(f"frontdesk call: {error}", file=sys.stderr)
        return 2
    if args.url and (args.demo or args.today):
        print("frontdesk call: --demo and --today apply to the in-process server only.")
        return 2
    return asyncio.run(_run(args, lines))


async def _run(args: argparse.Namespace, lines: list[ScriptLine]) -> int:
    settings = Settings()
    models = await asyncio.to_thread(load_speech_models, settings)
    if args.url:
        secret = settings.twilio_auth_token
        remote_token = secret.get_secret_value() if secret else None
        return await _converse(
            args.url, None, remote_token, settings, models, lines, args.from_number
        )
    async with _in_process_server(settings, models, args) as (url, token, app_settings):
        return await _converse(url, url, token, app_settings, models, lines, args.from_number)


@asynccontextmanager
async def _in_process_server(
    settings: Settings, models: LocalSpeechModels, args: argparse.Namespace
) -> AsyncIterator[tuple[str, str, Settings]]:
    from clinic.demo import create_demo_database
    from frontdesk.app import create_app
    from telephony.local_server import bind_local_socket, running_server, socket_url
    from telephony.runtime import database_agent_factory

    directory = Path(tempfile.mkdtemp(prefix="frontdesk-call-")) if args.demo else None
    try:
        database_url = settings.database_url
        now: datetime | None = None
        if directory is not None:
            database_url, now = create_demo_database(directory, args.today)
        elif args.today is not None:
            now = _pinned_now(database_url, args.today)
        sock = bind_local_socket()
        # The in-process server checks webhook signatures like production does, with a
        # random token that never leaves this process.
        token = secrets.token_urlsafe(24)
        app_settings = settings.model_copy(
            update={
                "database_url": database_url,
                "public_url": socket_url(sock),
                "twilio_auth_token": SecretStr(token),
                "twilio_account_sid": None,
                "verify_twilio_signature": True,
            }
        )
        engine = make_engine(database_url)
        factory = make_session_factory(engine)
        app = create_app(
            app_settings,
            speech_models=models,
            agent_factory=database_agent_factory(app_settings, factory, now=now),
        )
        try:
            async with running_server(app, sock) as url:
                yield url, token, app_settings
        finally:
            engine.dispose()
    finally:
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)


def _pinned_now(database_url: str, today: date) -> datetime:
    from clinic.demo import demo_now
    from clinic.models import Clinic

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            timezone = session.scalar(select(Clinic.timezone).order_by(Clinic.id).limit(1))
    finally:
        engine.dispose()
    return demo_now(today, timezone or "UTC")


async def _converse(
    url: str,
    public_url: str | None,
    token: str | None,
    settings: Settings,
    models: LocalSpeechModels,
    lines: list[ScriptLine],
    from_number: str,
    out: Printer = sys.stdout,
) -> int:
    from telephony.phone import PhoneError, SimulatedPhone
    from telephony.scripted_caller import ScriptedCaller

    phone = SimulatedPhone(url, auth_token=token, public_url=public_url, from_number=from_number)
    caller = ScriptedCaller(phone, models.voice)
    await caller.prepare(lines)
    engine = make_engine(settings.database_url)
    tools = _ToolPrinter(make_session_factory(engine), phone.call_sid, out)
    try:
        try:
            await phone.dial()
        except (PhoneError, OSError) as error:
            print(f"frontdesk call: could not place the call: {error}", file=sys.stderr)
            return 1
        print(f"Calling {url} as {from_number} (call {phone.call_sid}).", file=out)
        await _show(await caller.greeting(), models, tools, out)
        for line in lines:
            if phone.closed.is_set():
                break
            result = await caller.perform(line)
            await _show(result, models, tools, out)
        if not phone.closed.is_set():
            await phone.hang_up()
        await asyncio.sleep(1.0)  # let the server finalise the call record
        tools.show_new()
        print(f"Call ended; outcome: {tools.outcome() or 'unknown'}.", file=out)
        return 0
    finally:
        await phone.drop()
        engine.dispose()


async def _show(
    result: TurnResult, models: LocalSpeechModels, tools: _ToolPrinter, out: Printer
) -> None:
    line = result.line
    if line is not None:
        label = {"say": "", "barge": " (over the agent)", "dtmf": " (keys)"}.get(line.kind, "")
        if line.kind in ("say", "barge", "dtmf"):
            print(f"caller{label}: {line.value}", file=out)
            heard = tools.heard()
            if line.kind != "dtmf" and heard is not None and heard != line.value:
                print(f"  [heard] {heard}", file=out)
        elif line.kind == "silence":
            print(f"caller: ({line.value} s of silence)", file=out)
    if result.replies:
        # Each utterance on its own: Whisper drops short sentences after long pauses.
        texts = [
            await asyncio.to_thread(_transcribe_agent, models, bytes(reply.ulaw))
            for reply in result.replies
        ]
        text = " ".join(part for part in texts if part)
        timing = result.first_audio_ms
        prefix = f"agent ({timing:.0f} ms): " if timing is not None else "agent: "
        suffix = " [cut off]" if any(reply.cleared for reply in result.replies) else ""
        print(f"{prefix}{text}{suffix}", file=out)
    tools.show_new()


def _transcribe_agent(models: LocalSpeechModels, ulaw: bytes) -> str:
    return models.transcribe(ulaw_to_pipeline_pcm(ulaw)).text


class _ToolPrinter:
    """Prints the tool calls of the call as the call record gains them."""

    def __init__(self, factory: sessionmaker[Session], call_sid: str, out: Printer) -> None:
        self._factory = factory
        self._call_sid = call_sid
        self._out = out
        self._shown = 0
        self._disabled = False

    def show_new(self) -> None:
        if self._disabled:
            return
        try:
            self._print_new()
        except SQLAlchemyError:
            # Calling a server with another database: the call record is out of reach.
            self._disabled = True

    def _print_new(self) -> None:
        with self._factory() as session:
            call_id = session.scalar(select(Call.id).where(Call.call_sid == self._call_sid))
            if call_id is None:
                return
            records = session.scalars(
                select(ToolCallRecord)
                .where(ToolCallRecord.call_id == call_id, ToolCallRecord.seq > self._shown)
                .order_by(ToolCallRecord.seq)
            ).all()
            for record in records:
                status = "ok" if record.ok else f"failed ({record.error_code})"
                print(f"  [tool] {record.tool_name} {record.arguments} -> {status}", file=self._out)
                self._shown = record.seq

    def heard(self) -> str | None:
        """Return the latest caller line of the call record: what speech-to-text heard."""
        if self._disabled:
            return None
        try:
            with self._factory() as session:
                call_id = session.scalar(select(Call.id).where(Call.call_sid == self._call_sid))
                return session.scalar(
                    select(TranscriptTurn.text)
                    .where(TranscriptTurn.call_id == call_id, TranscriptTurn.speaker == "caller")
                    .order_by(TranscriptTurn.seq.desc())
                    .limit(1)
                )
        except SQLAlchemyError:
            return None

    def outcome(self) -> str | None:
        if self._disabled:
            return None
        try:
            with self._factory() as session:
                call = session.scalar(select(Call).where(Call.call_sid == self._call_sid))
        except SQLAlchemyError:
            return None
        return call.outcome.value if call is not None else None
