"""The ``end_call`` function: the LLM brain turns it into :class:`agent.brain.EndCall`."""

from __future__ import annotations

from agent.brain import EndCall
from agent.llm.end_call import END_CALL_TOOL
from tests.fakes.openai_server import FakeOpenAIServer, Reply, ScriptedToolCall, tool_call
from tests.llm.conftest import collect, metrics, texts, tool_calls

SLOT_SEARCH = {"appointment_type": "follow_up", "date_from": "2026-03-10"}


def _end_calls(steps: list[object]) -> list[EndCall]:
    return [step for step in steps if isinstance(step, EndCall)]


async def test_end_call_becomes_end_step(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    goodbye = ScriptedToolCall("end_call", {"reason": "caller_done"})
    fake_openai.script(Reply(text="Thank you for calling. Goodbye.", tool_calls=[goodbye]))

    steps = await collect(make_brain(), state)

    assert "".join(texts(steps)) == "Thank you for calling. Goodbye."
    assert tool_calls(steps) == []
    assert _end_calls(steps) == [EndCall(reason="caller_done")]
    assert metrics(steps)["llm_rounds"] == 1


async def test_end_call_offered_to_model(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(tool_call("end_call", {"reason": "wrong_number"}))

    steps = await collect(make_brain(), state)

    (request,) = fake_openai.requests
    assert "end_call" in request.tool_names
    assert END_CALL_TOOL.openai_schema() in request.body["tools"]
    assert _end_calls(steps) == [EndCall(reason="wrong_number")]


async def test_end_call_without_arguments(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(tool_call("end_call", ""))

    steps = await collect(make_brain(), state)

    assert _end_calls(steps) == [EndCall(reason="caller_done")]


async def test_end_call_invalid_reason_repaired(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(
        tool_call("end_call", {"reason": "bored"}),
        tool_call("end_call", {"reason": "caller_done"}),
    )

    steps = await collect(make_brain(), state)

    assert _end_calls(steps) == [EndCall(reason="caller_done")]
    repair = fake_openai.requests[1].messages[-1]
    assert repair["role"] == "tool"
    assert "reason" in repair["content"]


async def test_end_call_after_clinic_tool(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    calls = [
        ScriptedToolCall("find_open_slots", SLOT_SEARCH, id="call_slots"),
        ScriptedToolCall("end_call", {}, id="call_end"),
    ]
    fake_openai.script(Reply(tool_calls=calls))

    steps = await collect(make_brain(), state)

    assert [call.name for call in tool_calls(steps)] == ["find_open_slots"]
    assert _end_calls(steps) == [EndCall(reason="caller_done")]
