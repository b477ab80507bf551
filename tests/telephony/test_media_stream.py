"""The Twilio media stream over a real websocket, with fake speech models and agent."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from agent.events import Hangup, Speech, Transfer
from clinic.db import make_engine, make_session_factory
from clinic.demo import DemoFacts
from clinic.models import Call, CallOutcome
from telephony import phrases
from telephony.control import LocalCallControl, TwilioCallControl
from telephony.phone import SimulatedPhone
from telephony.routes import POLICY_VIOLATION
from telephony.runtime import database_agent_factory
from telephony.tokens import issue_stream_token
from tests.telephony.conftest import (
    AUTH_TOKEN,
    SECRET_KEY,
    PhoneLine,
    caller_tone,
    make_settings,
    serve_phone_line,
)
from tests.telephony.fakes import ScriptedAgent, agent_factory, guarded_booking
from tests.telephony.test_control import FakeTwilioHttp

QUIET = 0.6


async def _greeted(line: PhoneLine, **dial_options: object) -> object:
    phone = await line.dial(**dial_options)
    greeting = await phone.wait_for_agent(after=0, quiet=QUIET)
    assert greeting, "the agent did not greet"
    return phone


async def test_call_greets_answers_and_hangs_up(line: PhoneLine, agent: ScriptedAgent) -> None:
    agent.replies["I need an appointment"] = [Speech("Sure."), Speech("Which day suits you?")]
    line.models.queue("I need an appointment")
    phone = await _greeted(line)

    before = len(phone.utterances)
    await phone.say(caller_tone())
    reply = await phone.wait_for_agent(after=before, quiet=QUIET)
    await phone.hang_up()
    await asyncio.wait_for(agent.finished.wait(), 5)

    assert reply, "the agent did not answer"
    assert agent.turns == [("I need an appointment", 0.9, None)]
    assert line.models.voice.spoken == ["Hello, test clinic.", "Sure.", "Which day suits you?"]
    assert phone.marks_echoed == ["reply-1-1", "reply-2-1", "reply-2-2"]
    assert agent.outcomes == [None]
    assert agent.interruptions == []


async def test_dtmf_digits_reach_the_agent(line: PhoneLine, agent: ScriptedAgent) -> None:
    agent.replies["dtmf:0315"] = [Speech("Thank you.")]
    phone = await _greeted(line)

    before = len(phone.utterances)
    await phone.press("0315#", gap=0.05)
    reply = await phone.wait_for_agent(after=before, quiet=QUIET)
    await phone.hang_up()

    assert reply, "the agent did not answer the key presses"
    assert agent.turns == [("", None, "0315")]


async def test_malformed_messages_are_ignored(
    line: PhoneLine, agent: ScriptedAgent, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="telephony")
    agent.replies["still here"] = [Speech("Good.")]
    line.models.queue("still here")
    phone = await _greeted(line)
    start = {"event": "start", "start": {"callSid": phone.call_sid, "customParameters": {}}}

    await phone.send_raw("this is not json {")
    await phone.send_raw(json.dumps({"event": "surprise", "secret": "patient details"}))
    await phone.send_raw(json.dumps({"event": "media", "media": {"payload": "%%% not base64"}}))
    await phone.send_raw(json.dumps(start))
    await phone.send_raw(json.dumps(["a", "list"]))
    before = len(phone.utterances)
    await phone.say(caller_tone())
    reply = await phone.wait_for_agent(after=before, quiet=QUIET)
    await phone.hang_up()

    assert reply, "the call did not go on after the malformed messages"
    assert agent.turns == [("still here", 0.9, None)]
    logged = caplog.text
    assert "invalid JSON" in logged
    assert "unknown event" in logged
    assert "media payload is not base64" in logged
    assert "second start event" in logged
    assert "not a JSON object" in logged
    assert "patient details" not in logged
    assert "this is not json" not in logged


async def test_media_before_start_is_ignored(
    line: PhoneLine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="telephony")
    early_media = json.dumps({"event": "media", "media": {"payload": "////"}})

    phone = await _greeted(line, before_start=(early_media, early_media, "not json"))
    await phone.hang_up()

    assert "Ignored media before the start event" in caplog.text
    assert caplog.text.count("Ignored media before the start event") == 1
    assert "Ignored a message that is not JSON before the start event" in caplog.text


def _token(case: str, call_sid: str) -> dict[str, str]:
    if case == "missing token":
        return {}
    if case == "forged token":
        secret, sid, issued = "another-secret-key", call_sid, None
    elif case == "token for another call":
        secret, sid, issued = SECRET_KEY, "CAanothercall", None
    else:
        secret, sid, issued = SECRET_KEY, call_sid, time.time() - 3600
    token = issue_stream_token(secret, call_sid=sid, from_number=None, to_number=None, now=issued)
    return {"token": token}


@pytest.mark.parametrize(
    "case", ["missing token", "forged token", "token for another call", "expired token"]
)
async def test_stream_without_valid_token_is_closed(line: PhoneLine, case: str) -> None:
    phone = SimulatedPhone(line.url, auth_token=AUTH_TOKEN)

    await phone.dial(parameters=_token(case, phone.call_sid))
    await asyncio.wait_for(phone.closed.wait(), 5)
    await phone.drop()

    assert phone.close_code == POLICY_VIOLATION
    assert phone.utterances == []
    assert not line.telephony.calls


async def test_barge_in_clears_playback_and_keeps_heard_text(
    line: PhoneLine, agent: ScriptedAgent
) -> None:
    long_sentence = "Here are all the times we have open next week for you to choose from."
    agent.replies["book it"] = [
        Speech("Okay."),
        Speech(long_sentence),
        guarded_booking(agent),
        Speech("You are booked."),
    ]
    line.models.queue("book it", "wait")
    phone = await _greeted(line)

    await phone.say(caller_tone())
    assert await phone.wait_until_agent_speaks(max_wait=5)
    await asyncio.sleep(0.5)  # "Okay." has played; the long sentence is playing
    await phone.say(caller_tone())
    await phone.wait_for_agent(after=len(phone.utterances), quiet=QUIET)
    await phone.hang_up()
    await asyncio.wait_for(agent.finished.wait(), 5)

    assert agent.interruptions == ["Okay."]
    assert True not in agent.data_changes, "the booking ran after the barge-in"
    assert "You are booked." not in line.models.voice.spoken
    assert any(utterance.cleared for utterance in phone.utterances)
    assert [turn[0] for turn in agent.turns] == ["book it", "wait"]


async def test_caller_pause_mid_sentence_is_one_turn(line: PhoneLine, agent: ScriptedAgent) -> None:
    agent.replies["my date of birth is March 9 1988"] = [Speech("Thanks.")]
    line.models.queue("my date of birth is", "my date of birth is March 9 1988")
    phone = await _greeted(line)

    await phone.say(caller_tone(0.5))
    await asyncio.sleep(0.3)  # long enough for the VAD to end the segment
    await phone.say(caller_tone(0.5))
    await phone.wait_for_agent(after=len(phone.utterances), quiet=QUIET)
    await phone.hang_up()

    assert agent.turns == [("my date of birth is March 9 1988", 0.9, None)]
    assert agent.interruptions == []
    # The second segment is transcribed together with the first: the whole turn's audio.
    assert line.models.segments[1] > line.models.segments[0]


async def test_silence_gets_check_in_then_goodbye(tmp_path: Path, agent: ScriptedAgent) -> None:
    settings = make_settings(tmp_path, silence_timeout_seconds=0.8)
    async with serve_phone_line(settings, factory=agent_factory(agent)) as line:
        phone = await _greeted(line)
        await asyncio.wait_for(phone.closed.wait(), 10)
        await asyncio.wait_for(agent.finished.wait(), 5)
        spoken = line.models.voice.spoken

    assert spoken[:2] == ["Hello, test clinic.", phrases.SILENCE_CHECK_IN]
    assert " ".join(spoken[2:]) == phrases.SILENCE_GOODBYE
    assert agent.outcomes == ["abandoned"]
    assert agent.turns == []


async def test_transfer_without_credentials_is_recorded(
    line: PhoneLine, agent: ScriptedAgent
) -> None:
    agent.replies["a person please"] = [
        Speech("Connecting you to the front desk."),
        Transfer(reason="caller asked for a person", number="+18025550102"),
    ]
    line.models.queue("a person please")
    phone = await _greeted(line)

    await phone.say(caller_tone())
    await asyncio.wait_for(phone.closed.wait(), 10)
    await asyncio.wait_for(agent.finished.wait(), 5)

    control = line.call_control
    assert isinstance(control, LocalCallControl)
    assert control.transfers == [(phone.call_sid, "+18025550102")]
    assert "Connecting you to the front desk." in line.models.voice.spoken
    assert agent.outcomes == [None]


async def test_agent_hangup_ends_call_after_goodbye(line: PhoneLine, agent: ScriptedAgent) -> None:
    agent.replies["that's all"] = [Speech("Goodbye."), Hangup(reason="caller_done")]
    line.models.queue("that's all")
    phone = await _greeted(line)

    await phone.say(caller_tone())
    await asyncio.wait_for(phone.closed.wait(), 10)
    await asyncio.wait_for(agent.finished.wait(), 5)

    assert phone.marks_echoed[-1] == "reply-2-1", "the call ended before the goodbye played"
    assert agent.outcomes == [None]


async def test_agent_failure_apologises_and_ends(line: PhoneLine, agent: ScriptedAgent) -> None:
    agent.failure = RuntimeError("brain exploded")
    line.models.queue("hello")
    phone = await _greeted(line)

    await phone.say(caller_tone())
    await asyncio.wait_for(phone.closed.wait(), 10)
    await asyncio.wait_for(agent.finished.wait(), 5)

    assert " ".join(line.models.voice.spoken).endswith(phrases.AGENT_FAILED)
    assert agent.outcomes == ["failed"]


async def test_recording_holds_both_sides(tmp_path: Path, agent: ScriptedAgent) -> None:
    settings = make_settings(tmp_path, record_calls=True)
    async with serve_phone_line(settings, factory=agent_factory(agent)) as line:
        line.models.queue("hello")
        phone = await _greeted(line)
        await phone.say(caller_tone())
        await phone.wait_for_agent(after=len(phone.utterances), quiet=QUIET)
        await phone.hang_up()
        await line.wait_for_calls_to_end()

    with wave.open(str(tmp_path / "recordings" / f"{phone.call_sid}.wav"), "rb") as recording:
        channels = recording.getnchannels()
        rate = recording.getframerate()
        frames = recording.readframes(recording.getnframes())
    samples = np.frombuffer(frames, dtype=np.int16).reshape(-1, 2)
    assert channels == 2
    assert rate == 8000
    assert samples.shape[0] > 8000, "the recording is shorter than a second"
    assert np.abs(samples[:, 0]).max() > 5000, "the caller's side is silent"
    assert np.abs(samples[:, 1]).max() > 5000, "the agent's side is silent"


async def test_two_calls_share_the_models(line: PhoneLine, agent: ScriptedAgent) -> None:
    first = await line.dial()
    second = await line.dial()

    greetings = await asyncio.gather(
        first.wait_for_agent(after=0, quiet=QUIET), second.wait_for_agent(after=0, quiet=QUIET)
    )
    calls_during = len(line.telephony.calls)
    await first.hang_up()
    await second.hang_up()
    await line.wait_for_calls_to_end()

    assert all(greetings), "a caller was not greeted"
    assert calls_during == 2
    assert set(line.models.voice.spoken) == {"Hello, test clinic."}


async def test_dropped_call_keeps_its_record(
    tmp_path: Path, sqlite_url: str, demo: DemoFacts
) -> None:
    settings = make_settings(tmp_path, database_url=sqlite_url)
    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    agents = database_agent_factory(settings, factory, now=demo.now)
    try:
        async with serve_phone_line(settings, factory=agents) as line:
            line.models.queue("What are your hours on Saturday?")
            phone = await _greeted(line)
            await phone.say(caller_tone())
            assert await phone.wait_until_agent_speaks(max_wait=10)
            await phone.drop()
            await line.wait_for_calls_to_end()
        with factory() as session:
            call = session.scalars(select(Call).where(Call.call_sid == phone.call_sid)).one()
            turns = list(call.turns)
    finally:
        engine.dispose()

    # The agent answered the question before the line broke, which is more useful to staff
    # than "dropped".
    assert call.outcome == CallOutcome.RESOLVED
    assert call.ended_at is not None
    assert call.stream_sid == phone.stream_sid
    caller = [turn for turn in turns if turn.speaker == "caller"]
    assert [turn.text for turn in caller] == ["What are your hours on Saturday?"]
    assert caller[0].stt_confidence == pytest.approx(0.9)
    assert caller[0].latency is not None
    assert {"speech_end_ms", "transcript_ms", "first_text_ms", "first_audio_ms"} <= set(
        caller[0].latency
    )
    assert any(turn.speaker == "agent" for turn in turns), "the agent's words were lost"


async def test_drop_before_any_turn_is_dropped(
    tmp_path: Path, sqlite_url: str, demo: DemoFacts
) -> None:
    settings = make_settings(tmp_path, database_url=sqlite_url)
    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    try:
        agents = database_agent_factory(settings, factory, now=demo.now)
        async with serve_phone_line(settings, factory=agents) as line:
            phone = await line.dial()
            assert await phone.wait_until_agent_speaks(max_wait=10)
            await phone.drop()
            await line.wait_for_calls_to_end()
        with factory() as session:
            call = session.scalars(select(Call).where(Call.call_sid == phone.call_sid)).one()
    finally:
        engine.dispose()

    assert call.outcome == CallOutcome.DROPPED
    assert call.ended_at is not None


async def test_transfer_with_credentials_dials_clinic(tmp_path: Path, agent: ScriptedAgent) -> None:
    http = FakeTwilioHttp((200, {"sid": "CA1", "status": "in-progress"}))
    control = TwilioCallControl("AC" + "0" * 32, AUTH_TOKEN, http_client=http)
    agent.replies["a person please"] = [
        Speech("Connecting you."),
        Transfer(reason="caller asked for a person", number="+18025550102"),
    ]
    settings = make_settings(tmp_path)
    async with serve_phone_line(
        settings, factory=agent_factory(agent), call_control=control
    ) as line:
        line.models.queue("a person please")
        phone = await _greeted(line)
        await phone.say(caller_tone())
        await asyncio.wait_for(phone.closed.wait(), 10)
        await asyncio.wait_for(agent.finished.wait(), 5)

    assert len(http.requests) == 1
    assert http.requests[0][1].endswith(f"/Calls/{phone.call_sid}.json")
    assert "<Dial>+18025550102</Dial>" in str(http.requests[0][2]["Twiml"])
    assert agent.outcomes == [None]


async def test_failed_transfer_apologises(tmp_path: Path, agent: ScriptedAgent) -> None:
    http = FakeTwilioHttp(
        (500, {"code": 20500, "message": "Internal error", "status": 500}),
        (200, {"sid": "CA1", "status": "completed"}),
    )
    control = TwilioCallControl("AC" + "0" * 32, AUTH_TOKEN, http_client=http)
    agent.replies["a person please"] = [
        Speech("Connecting you."),
        Transfer(reason="caller asked for a person", number="+18025550102"),
    ]
    settings = make_settings(tmp_path)
    async with serve_phone_line(
        settings, factory=agent_factory(agent), call_control=control
    ) as line:
        line.models.queue("a person please")
        phone = await _greeted(line)
        await phone.say(caller_tone())
        await asyncio.wait_for(phone.closed.wait(), 10)
        await asyncio.wait_for(agent.finished.wait(), 5)
        spoken = " ".join(line.models.voice.spoken)

    assert spoken.endswith(phrases.TRANSFER_FAILED)
    assert agent.outcomes == ["failed"]
    assert http.requests[1][2] == {"Status": "completed"}


async def test_agent_that_cannot_start_gets_apology(tmp_path: Path) -> None:
    async def broken_factory(setup: object) -> object:
        raise RuntimeError("database unreachable")

    settings = make_settings(tmp_path)
    async with serve_phone_line(settings, factory=broken_factory) as line:  # type: ignore[arg-type]
        phone = await line.dial()
        await asyncio.wait_for(phone.closed.wait(), 10)
        spoken = " ".join(line.models.voice.spoken)

    assert spoken == phrases.AGENT_FAILED
    assert phone.utterances, "the caller heard nothing"
