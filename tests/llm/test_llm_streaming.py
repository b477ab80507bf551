"""The LLM brain over real HTTP: streamed text, tool calls in pieces, parallel calls, usage."""

from __future__ import annotations

import json

from agent.brain import BrainMetrics, TextDelta, ToolCallRequest
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    Reply,
    ScriptedToolCall,
    text,
    tool_call,
)
from tests.llm.conftest import TEST_TOOLS, collect, metrics, texts, tool_calls

SLOT_SEARCH = {"appointment_type": "follow_up", "date_from": "2026-03-10", "provider_id": 1}


async def test_text_streams_in_pieces(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(text("We have openings on Tuesday morning.", text_chunk_chars=5))

    steps = await collect(make_brain(), state)

    pieces = texts(steps)
    assert len(pieces) == 8
    assert "".join(pieces) == "We have openings on Tuesday morning."
    assert tool_calls(steps) == []
    assert isinstance(steps[-1], BrainMetrics)


async def test_text_arrives_before_stream_ends(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    # The server pauses after the role chunk and the first text chunk.
    fake_openai.script(
        text(
            "Let me check. One moment please.",
            text_chunk_chars=14,
            stall_after=2,
            stall_seconds=1.0,
        )
    )
    replies = make_brain().reply(state, "hello")

    first = await anext(replies)
    sent_before_first = fake_openai.requests[0].chunks_sent
    rest = [step async for step in replies]

    assert first == TextDelta("Let me check. ")
    assert sent_before_first == 2
    assert "".join(texts(rest)) == "One moment please."
    assert fake_openai.requests[0].chunks_sent == 6


async def test_request_carries_prompt_history_and_tools(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(text("Sure."))

    await collect(make_brain(temperature=0.3), state)

    (request,) = fake_openai.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer test-key"
    assert request.body["model"] == "fake-model"
    assert request.body["temperature"] == 0.3
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    assert request.messages[0]["role"] == "system"
    assert "Maple Street Family Medicine" in request.messages[0]["content"]
    assert request.messages[1:] == state.messages
    assert request.tool_names == ["find_open_slots", "book_appointment", "end_call"]
    assert request.body["tools"][0] == TEST_TOOLS["find_open_slots"].openai_schema()


async def test_tool_call_split_across_chunks(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(tool_call("find_open_slots", SLOT_SEARCH, pieces=7, id="call_abc"))

    steps = await collect(make_brain(), state)

    assert tool_calls(steps) == [
        ToolCallRequest(
            call_id="call_abc", name="find_open_slots", arguments_json=json.dumps(SLOT_SEARCH)
        )
    ]
    assert texts(steps) == []


async def test_text_then_tool_call(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(
        Reply(
            text="Let me look that up.",
            tool_calls=[ScriptedToolCall("find_open_slots", SLOT_SEARCH, pieces=3)],
        )
    )

    steps = await collect(make_brain(), state)

    assert "".join(texts(steps)) == "Let me look that up."
    (call,) = tool_calls(steps)
    assert call.arguments() == SLOT_SEARCH
    # Text comes first so the caller hears it while the tool runs.
    assert steps.index(call) > max(i for i, s in enumerate(steps) if isinstance(s, TextDelta))


async def test_parallel_tool_calls_in_order(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    second = {**SLOT_SEARCH, "date_from": "2026-03-17"}
    fake_openai.script(
        Reply(
            tool_calls=[
                ScriptedToolCall("find_open_slots", SLOT_SEARCH, id="call_a", pieces=4),
                ScriptedToolCall("find_open_slots", second, id="call_b", pieces=4),
            ]
        )
    )

    steps = await collect(make_brain(), state)

    assert [(c.call_id, c.arguments()) for c in tool_calls(steps)] == [
        ("call_a", SLOT_SEARCH),
        ("call_b", second),
    ]


async def test_interleaved_parallel_tool_calls(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    booking = {"start": "2026-03-10T09:15", "provider_id": 1, "appointment_type": "follow_up"}
    fake_openai.script(
        Reply(
            tool_calls=[
                ScriptedToolCall("find_open_slots", SLOT_SEARCH, id="call_a", pieces=5),
                ScriptedToolCall("book_appointment", booking, id="call_b", pieces=3),
            ],
            interleave=True,
        )
    )

    steps = await collect(make_brain(), state)

    assert [(c.name, c.arguments()) for c in tool_calls(steps)] == [
        ("find_open_slots", SLOT_SEARCH),
        ("book_appointment", booking),
    ]


async def test_tool_calls_without_index(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    second = {**SLOT_SEARCH, "date_from": "2026-03-17"}
    fake_openai.script(
        Reply(
            tool_calls=[
                ScriptedToolCall("find_open_slots", SLOT_SEARCH, id="call_a", pieces=3),
                ScriptedToolCall("find_open_slots", second, id="call_b", pieces=3),
            ],
            omit_index=True,
        )
    )

    steps = await collect(make_brain(), state)

    assert [(c.call_id, c.arguments()) for c in tool_calls(steps)] == [
        ("call_a", SLOT_SEARCH),
        ("call_b", second),
    ]


async def test_missing_or_repeated_call_ids_replaced(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    state.messages.append(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_0",
                    "type": "function",
                    "function": {"name": "find_open_slots", "arguments": "{}"},
                }
            ],
        }
    )
    fake_openai.script(
        Reply(
            tool_calls=[
                ScriptedToolCall("find_open_slots", SLOT_SEARCH, id="call_0"),
                ScriptedToolCall("find_open_slots", SLOT_SEARCH, id=""),
            ]
        )
    )

    steps = await collect(make_brain(), state)

    ids = [call.call_id for call in tool_calls(steps)]
    assert len(set(ids)) == 2
    assert "call_0" not in ids
    assert all(ids)


async def test_usage_reported_in_metrics(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(text("Sure.", usage=(321, 12)))

    values = metrics(await collect(make_brain(), state))

    assert values["llm_prompt_tokens"] == 321
    assert values["llm_completion_tokens"] == 12
    assert values["llm_requests"] == 1
    assert values["llm_retries"] == 0
    assert values["llm_rounds"] == 1
    assert values["llm_first_token_ms"] is not None
    assert values["llm_first_token_ms"] <= values["llm_total_ms"]


async def test_server_ignoring_usage_tolerated(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(text("Sure.", honour_usage=False))

    steps = await collect(make_brain(), state)

    assert "".join(texts(steps)) == "Sure."
    assert metrics(steps)["llm_prompt_tokens"] is None
    assert metrics(steps)["llm_completion_tokens"] is None


async def test_first_token_time_includes_server_delay(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(text("Sure.", first_chunk_delay=0.3))

    values = metrics(await collect(make_brain(), state))

    assert values["llm_first_token_ms"] >= 300


async def test_metrics_add_up_over_tool_rounds(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    brain = make_brain()
    fake_openai.script(
        tool_call("find_open_slots", SLOT_SEARCH, id="call_a", usage=(100, 10)),
        text("Tuesday at 9:15 is open.", usage=(150, 8)),
    )
    await collect(brain, state)
    state.messages.append(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "find_open_slots", "arguments": json.dumps(SLOT_SEARCH)},
                }
            ],
        }
    )
    state.messages.append({"role": "tool", "tool_call_id": "call_a", "content": '{"ok": true}'})
    state.tool_round = 1

    values = metrics(await collect(brain, state))

    assert values["llm_rounds"] == 2
    assert values["llm_prompt_tokens"] == 250
    assert values["llm_completion_tokens"] == 18
    assert len(values["llm_first_token_ms_by_round"]) == 2
    assert fake_openai.requests[1].messages[-1]["role"] == "tool"


async def test_non_streaming_mode(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(
        Reply(text="Checking.", tool_calls=[ScriptedToolCall("find_open_slots", SLOT_SEARCH)])
    )

    steps = await collect(make_brain(stream=False), state)

    assert fake_openai.requests[0].body.get("stream") is False
    assert "stream_options" not in fake_openai.requests[0].body
    assert texts(steps) == ["Checking."]
    assert [c.arguments() for c in tool_calls(steps)] == [SLOT_SEARCH]
    assert metrics(steps)["llm_prompt_tokens"] == 120
