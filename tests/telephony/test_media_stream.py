"""The Twilio media stream over a real websocket, with fake speech models and agent."""

from __future__ import annotations

import asyncio
import logging

import pytest

from agent.events import Speech
from tests.telephony.conftest import PhoneLine, caller_tone
from tests.telephony.fakes import ScriptedAgent


async def test_call_greets_answers_and_hangs_up(line: PhoneLine, agent: ScriptedAgent) -> None:
    agent.replies["I need an appointment"] = [Speech("Sure."), Speech("Which day suits you?")]
    line.models.queue("I need an appointment")
    phone = await line.dial()

    greeting = await phone.wait_for_agent(after=0, quiet=0.6)
    assert greeting, "the agent did not greet"
    heard = len(phone.utterances)
    await phone.say(caller_tone())
    reply = await phone.wait_for_agent(after=heard, quiet=0.6)
    await phone.hang_up()
    await asyncio.wait_for(agent.finished.wait(), 5)

    assert reply, "the agent did not answer"
    assert agent.turns == [("I need an appointment", 0.9, None)]
    assert line.models.voice.spoken == ["Hello, test clinic.", "Sure.", "Which day suits you?"]
    assert phone.marks_echoed == ["reply-1-1", "reply-2-1", "reply-2-2"]
    assert agent.outcomes == [None]
    assert agent.interruptions == []
