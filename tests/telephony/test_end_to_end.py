"""A phone call with real speech models and the real agent books an appointment.

The caller's lines are synthesized with piper, sent as 8 kHz mu-law at real-time pace over
the websocket, transcribed by Whisper on the server, answered by the offline brain and
spoken back with piper. This takes about a minute.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from clinic.db import make_engine, make_session_factory
from clinic.demo import DemoFacts
from clinic.models import Appointment, AppointmentStatus, Call, CallOutcome, Patient, Provider
from frontdesk.app import create_app
from frontdesk.settings import Settings
from telephony.local_server import bind_local_socket, running_server, socket_url
from telephony.phone import SimulatedPhone
from telephony.runtime import database_agent_factory
from telephony.scripted_caller import ScriptedCaller, ScriptLine
from telephony.speech import LocalSpeechModels, load_speech_models
from tests.telephony.conftest import AUTH_TOKEN, make_settings

pytestmark = pytest.mark.slow

CALLER_LINES = [
    "I'd like to book a follow-up visit with Doctor Patel.",
    "My name is Laura Wilson.",
    "My date of birth is March 9th, 1988.",
    "Tomorrow afternoon, please.",
    "The first one, please.",
    "Yes, please book it.",
    "No, that's all. Thank you.",
]


@pytest.fixture(scope="module")
def speech_models() -> Iterator[LocalSpeechModels]:
    yield load_speech_models(Settings(_env_file=None))


async def test_caller_books_appointment_by_voice(
    tmp_path: Path, sqlite_url: str, demo: DemoFacts, speech_models: LocalSpeechModels
) -> None:
    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    sock = bind_local_socket()
    settings = make_settings(tmp_path, database_url=sqlite_url, public_url=socket_url(sock))
    agents = database_agent_factory(settings, factory, now=demo.now)
    app = create_app(settings, speech_models=speech_models, agent_factory=agents)
    lines = [ScriptLine("say", text) for text in CALLER_LINES]
    try:
        async with running_server(app, sock) as url:
            phone = SimulatedPhone(url, auth_token=AUTH_TOKEN)
            caller = ScriptedCaller(phone, speech_models.voice)
            await caller.prepare(lines)
            await phone.dial()
            greeting = await caller.greeting()
            results = [await caller.perform(line) for line in lines]
            await phone.hang_up()
            for _ in range(100):
                if not app.state.telephony.calls:
                    break
                await asyncio.sleep(0.1)
        with factory() as session:
            call = session.scalars(select(Call).where(Call.call_sid == phone.call_sid)).one()
            booked = session.execute(
                select(Appointment, Patient, Provider)
                .join(Patient, Appointment.patient_id == Patient.id)
                .join(Provider, Appointment.provider_id == Provider.id)
                .where(Appointment.booked_from_call_id == call.id)
            ).all()
            caller_turns = [turn for turn in call.turns if turn.speaker == "caller"]
            transcript = "\n".join(f"{turn.speaker}: {turn.text}" for turn in call.turns)
    finally:
        engine.dispose()
    unanswered = [
        line.value for line, result in zip(lines, results, strict=True) if not result.replies
    ]

    assert greeting.replies, "the agent did not greet"
    assert unanswered[:-1] == [], f"unanswered lines; the call went:\n{transcript}"
    assert len(booked) == 1, f"no booking; the call went:\n{transcript}"
    appointment, patient, provider = booked[0]
    assert (patient.first_name, patient.last_name) == ("Laura", "Wilson")
    assert provider.last_name == "Patel"
    assert appointment.status == AppointmentStatus.BOOKED
    assert call.outcome == CallOutcome.RESOLVED
    # A caller pause can split a line in two ("No." and "That's all."), never drop one.
    assert len(caller_turns) >= len(CALLER_LINES), f"the call went:\n{transcript}"
    heard = " ".join(turn.text for turn in caller_turns).lower()
    for words in ("dr. patel", "laura wilson", "march 9", "1988", "tomorrow afternoon", "book it"):
        assert words in heard, f"{words!r} was not heard; the call went:\n{transcript}"
    assert all(turn.stt_confidence is not None for turn in caller_turns)
    assert all(turn.latency and "first_audio_ms" in turn.latency for turn in caller_turns[:-1])
