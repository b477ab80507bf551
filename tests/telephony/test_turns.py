"""End-of-turn rules, turn timing and playback tracking."""

from __future__ import annotations

import asyncio

import pytest

from telephony.playback import Playback
from telephony.speech import Transcript
from telephony.turns import TurnDetector, TurnLatency, TurnTiming, looks_unfinished


@pytest.mark.parametrize(
    ("text", "unfinished"),
    [
        ("My date of birth is.", True),
        ("I'd like to book an appointment and", True),
        ("Um,", True),
        ("Let me think...", True),
        ("My name is Laura Wilson.", False),
        ("Yes.", False),
        ("March 9th, 1988.", False),
        ("I need to follow up with Doctor.", True),
        ("My date of birth is March 9.", True),
        ("It's September 21st.", True),
        ("March ninth.", True),
        ("Born in 1988.", False),
        ("", False),
    ],
)
def test_looks_unfinished(text: str, unfinished: bool) -> None:
    assert looks_unfinished(text) is unfinished


def test_detector_answers_after_quiet_gap() -> None:
    detector = TurnDetector(TurnTiming(vad_stop_secs=0.2, min_gap_secs=0.45))

    detector.speech_started()
    detector.speech_stopped(now=10.0)
    before_transcript = detector.decide(now=10.05)
    detector.transcribed(Transcript("I need a refill.", 0.8), now=10.1)

    assert before_transcript is None
    assert detector.decide(now=10.1) == pytest.approx(0.15)
    assert detector.decide(now=10.3) == 0.0
    turn = detector.take()
    assert turn is not None
    assert turn.text == "I need a refill."
    assert turn.latency.speech_end == pytest.approx(9.8)
    assert turn.latency.transcript == pytest.approx(10.1)


def test_detector_waits_for_possible_speech() -> None:
    detector = TurnDetector(TurnTiming())
    detector.speech_stopped(now=1.0)
    detector.transcribed(Transcript("My date of birth", 0.9), now=1.1)

    detector.possible_speech(True)
    during = detector.decide(now=1.2)
    detector.speech_started()
    detector.speech_stopped(now=2.0)
    detector.transcribed(Transcript("My date of birth is March 9th, 1988.", 0.7), now=2.1)

    assert during is None
    assert detector.decide(now=3.0) == 0.0
    turn = detector.take()
    assert turn is not None
    assert turn.text == "My date of birth is March 9th, 1988."
    assert turn.confidence == pytest.approx(0.7)


def test_detector_waits_longer_when_unfinished() -> None:
    timing = TurnTiming(vad_stop_secs=0.2, min_gap_secs=0.45, unfinished_gap_secs=1.2)
    detector = TurnDetector(timing)
    detector.speech_stopped(now=1.0)
    detector.transcribed(Transcript("", 0.0, 1.0), now=1.1)

    after_noise = detector.decide(now=1.1)
    detector.speech_stopped(now=2.0)
    detector.transcribed(Transcript("I want to book with Doctor", 0.9), now=2.1)

    assert after_noise is None
    assert detector.pending is not None
    assert detector.decide(now=2.1) == pytest.approx(0.9)


def test_detector_answers_keys_at_once() -> None:
    detector = TurnDetector(TurnTiming())

    detector.keyed("0315", now=5.0)

    assert detector.decide(now=5.0) == 0.0
    turn = detector.take()
    assert turn is not None
    assert turn.dtmf == "0315"
    assert turn.text == ""


def test_latency_record_in_milliseconds() -> None:
    latency = TurnLatency(speech_end=10.0, transcript=10.12, first_text=10.13, first_audio=10.2)

    record = latency.as_record(call_started=9.0)

    assert record == {
        "speech_end_ms": 1000.0,
        "transcript_ms": 1120.0,
        "first_text_ms": 1130.0,
        "first_audio_ms": 1200.0,
        "voice_to_voice_ms": 200.0,
    }


def test_playback_delivers_played_prefix() -> None:
    playback = Playback(reply_id=3)
    first = playback.add_chunk("Okay.")
    second = playback.add_chunk("Tuesday at nine works.")
    third = playback.add_chunk("Shall I book it?")

    playback.mark_played(first)
    playback.mark_played(third)  # out of order, which Twilio does not do: be strict anyway

    assert playback.delivered_text == "Okay."
    assert playback.has_audio_pending
    assert second == "reply-3-2"


def test_playback_ignores_marks_after_close() -> None:
    playback = Playback(reply_id=1)
    name = playback.add_chunk("Hello.")
    playback.close()

    accepted = playback.mark_played(name)

    assert accepted is False
    assert playback.delivered_text == ""
    assert playback.mark_played("reply-9-1") is False


async def test_playback_wait_returns_when_played_or_closed() -> None:
    played = Playback(reply_id=1)
    name = played.add_chunk("Hello.")
    closed = Playback(reply_id=2)
    closed.add_chunk("Hello.")

    waiting = asyncio.gather(played.wait_until_played(), closed.wait_until_played())
    await asyncio.sleep(0)
    played.mark_played(name)
    closed.close()

    assert await waiting == [True, False]
