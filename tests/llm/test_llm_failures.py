"""The LLM brain's failures over real HTTP: bad arguments, error statuses, timeouts, cut streams.

Every failure must end in a result (a repaired reply) or a ``BrainError`` subclass that the
agent loop handles, never in another exception type.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import pytest

from agent.brain import BrainTimeout, BrainUnavailable, TextDelta
from agent.llm import InvalidToolArguments, LLMBrain, LLMConfig
from tests.fakes.openai_server import FakeOpenAIServer, Reply, error, text, tool_call
from tests.llm.conftest import TEST_TOOLS, collect, metrics, texts, tool_calls

SLOT_SEARCH = {"appointment_type": "follow_up", "date_from": "2026-03-10"}


def tool_results(request) -> list[dict]:
    return [json.loads(m["content"]) for m in request.messages if m["role"] == "tool"]


# Invalid tool arguments.


async def test_malformed_arguments_repaired(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(
        tool_call("find_open_slots", '{"appointment_type": "follow_up", "date_from": ', pieces=3),
        tool_call("find_open_slots", SLOT_SEARCH, id="call_fixed"),
    )

    steps = await collect(make_brain(), state)

    assert [(c.call_id, c.arguments()) for c in tool_calls(steps)] == [("call_fixed", SLOT_SEARCH)]
    repair = fake_openai.requests[1]
    assert repair.messages[:-2] == fake_openai.requests[0].messages
    bad_call = repair.messages[-2]["tool_calls"][0]
    assert bad_call["function"]["arguments"] == '{"appointment_type": "follow_up", "date_from": '
    (result,) = tool_results(repair)
    assert result["ok"] is False
    assert result["error"] == "invalid_argument"
    assert "not valid JSON" in result["message"]
    assert metrics(steps)["llm_repairs"] == 1
    assert state.escalation.invalid_tool_arguments == 1


async def test_schema_violation_repaired(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(
        tool_call("find_open_slots", {"date_from": "2026-03-10"}),
        tool_call("find_open_slots", SLOT_SEARCH),
    )

    steps = await collect(make_brain(), state)

    assert [c.arguments() for c in tool_calls(steps)] == [SLOT_SEARCH]
    (result,) = tool_results(fake_openai.requests[1])
    assert "appointment_type" in result["message"]


async def test_unknown_tool_repaired(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(
        tool_call("delete_patient", {"patient_id": 4}),
        text("I can't do that, but I can book a visit."),
    )

    steps = await collect(make_brain(), state)

    assert tool_calls(steps) == []
    (result,) = tool_results(fake_openai.requests[1])
    assert "no tool named 'delete_patient'" in result["message"]


async def test_invalid_call_holds_back_valid_sibling(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    booking = {"start": "2026-03-10T09:15", "provider_id": 1, "appointment_type": "follow_up"}
    fake_openai.script(
        Reply(
            tool_calls=[
                tool_call("book_appointment", booking).tool_calls[0],
                tool_call("find_open_slots", "[1, 2]").tool_calls[0],
            ]
        ),
        text("Let me try that again."),
    )

    steps = await collect(make_brain(), state)

    # Nothing of the invalid response runs, not even its valid booking call.
    assert tool_calls(steps) == []
    not_run, invalid = tool_results(fake_openai.requests[1])
    assert "Not run" in not_run["message"]
    assert "must be a JSON object" in invalid["message"]


async def test_invalid_arguments_twice_escalates(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(
        Reply(text="Let me look.", tool_calls=tool_call("find_open_slots", "{").tool_calls),
        tool_call("find_open_slots", '{"appointment_type": 7}'),
    )
    brain = make_brain()
    seen: list[str] = []

    with pytest.raises(InvalidToolArguments) as caught:
        async for step in brain.reply(state, "I need a follow-up visit."):
            assert isinstance(step, TextDelta), "no tool call may come out of an invalid turn"
            seen.append(step.text)

    assert "".join(seen) == "Let me look."
    assert len(fake_openai.requests) == 2
    assert state.escalation.invalid_tool_arguments == 2
    assert brain.turn_metrics(state).invalid_tool_arguments == 2
    assert caught.value.metrics["llm_error"] == "InvalidToolArguments"
    assert caught.value.metrics["llm_requests"] == 2


async def test_invalid_count_spans_tool_rounds_not_turns(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    brain = make_brain()
    fake_openai.script(
        tool_call("find_open_slots", "{"),
        text("Which day suits you?"),
        tool_call("find_open_slots", "{"),
    )
    await collect(brain, state)

    # A later round of the same caller turn: the second invalid response escalates.
    state.tool_round = 1
    with pytest.raises(InvalidToolArguments):
        await collect(brain, state)

    # The next caller turn starts with a clean count.
    state.turn = 2
    state.tool_round = 0
    fake_openai.script(tool_call("find_open_slots", "{"), text("Which day suits you?"))
    steps = await collect(brain, state)
    assert "".join(texts(steps)) == "Which day suits you?"


# HTTP error statuses.


async def test_rate_limit_retried_after_retry_after(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(error(429, retry_after=0.3), text("Sure."))

    steps = await collect(make_brain(), state)

    assert "".join(texts(steps)) == "Sure."
    values = metrics(steps)
    assert values["llm_requests"] == 2
    assert values["llm_retries"] == 1
    # The wait honoured Retry-After: the first token came after it.
    assert values["llm_first_token_ms"] >= 300


async def test_server_error_retried(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(error(500), tool_call("find_open_slots", SLOT_SEARCH))

    steps = await collect(make_brain(), state)

    assert [c.arguments() for c in tool_calls(steps)] == [SLOT_SEARCH]
    assert len(fake_openai.requests) == 2


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_retry_budget_spent(
    fake_openai: FakeOpenAIServer, make_brain, state, status: int
) -> None:
    fake_openai.script(error(status), error(status), error(status))
    brain = make_brain(max_retries=2)

    with pytest.raises(BrainUnavailable, match=f"HTTP {status}"):
        await collect(brain, state)

    assert len(fake_openai.requests) == 3
    assert brain.turn_metrics(state).retries == 2


async def test_failure_carries_turn_metrics(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(error(503), error(503))

    with pytest.raises(BrainUnavailable) as caught:
        await collect(make_brain(max_retries=1), state)

    values = caught.value.metrics
    assert values["llm_error"] == "BrainUnavailable"
    assert values["llm_requests"] == 2
    assert values["llm_retries"] == 1
    assert values["llm_rounds"] == 1
    assert values["llm_total_ms"] > 0


async def test_timeout_carries_turn_metrics(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(text("Too late.", headers_delay=5.0))

    with pytest.raises(BrainTimeout) as caught:
        await collect(make_brain(first_token_timeout=0.3), state)

    assert caught.value.metrics["llm_error"] == "BrainTimeout"
    assert caught.value.metrics["llm_first_token_ms"] is None
    assert caught.value.metrics["llm_total_ms"] >= 300


async def test_no_retry_without_budget(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(error(500))

    with pytest.raises(BrainUnavailable):
        await collect(make_brain(max_retries=0), state)

    assert len(fake_openai.requests) == 1


async def test_client_error_not_retried(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(error(400, message="Unsupported parameter."))

    with pytest.raises(BrainUnavailable, match="HTTP 400"):
        await collect(make_brain(max_retries=3), state)

    assert len(fake_openai.requests) == 1


async def test_retry_after_beyond_budget_fails_at_once(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(error(429, retry_after=60))
    brain = make_brain(reply_timeout=3.0)

    with pytest.raises(BrainUnavailable, match="No time is left"):
        await collect(brain, state)

    assert len(fake_openai.requests) == 1
    # It gave up without sleeping through the minute.
    assert brain.turn_metrics(state).total_ms < 3000


async def test_connection_refused(make_brain, state) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    brain = make_brain(base_url=f"http://127.0.0.1:{closed_port}/v1", max_retries=1)

    with pytest.raises(BrainUnavailable, match="could not be reached"):
        await collect(brain, state)

    assert brain.turn_metrics(state).requests == 2


# Timeouts.


async def test_slow_response_headers_time_out(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(text("Too late.", headers_delay=5.0))

    with pytest.raises(BrainTimeout):
        await collect(make_brain(first_token_timeout=0.3), state)

    assert len(fake_openai.requests) == 1


async def test_slow_first_token_times_out(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(text("Too late.", first_chunk_delay=5.0))

    with pytest.raises(BrainTimeout):
        await collect(make_brain(first_token_timeout=0.3), state)


async def test_stalled_stream_times_out(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(text("Let me check. And then silence.", text_chunk_chars=14, stall_after=2))
    seen: list[str] = []

    with pytest.raises(BrainTimeout):
        async for step in make_brain(first_token_timeout=0.3).reply(state, "hi"):
            seen.append(step.text)

    assert seen == ["Let me check. "]


async def test_reply_budget_ends_slow_stream(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    # Each chunk comes within the first-token budget, but the whole reply takes too long.
    fake_openai.script(text("One. Two. Three. Four. Five.", text_chunk_chars=5, chunk_delay=0.2))

    with pytest.raises(BrainTimeout):
        await collect(make_brain(first_token_timeout=1.0, reply_timeout=0.5), state)


# Streams that stop midway.


async def test_stream_cut_after_text_not_retried(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(text("Your appointment is on", text_chunk_chars=8, cut_after=2), text("x"))
    seen: list[str] = []

    with pytest.raises(BrainUnavailable, match="broke"):
        async for step in make_brain(max_retries=2).reply(state, "hi"):
            seen.append(step.text)

    assert seen == ["Your app"]
    # Retrying would repeat words the caller already heard.
    assert len(fake_openai.requests) == 1
    assert fake_openai.pending == 1
    assert fake_openai.aborted_streams == 1


async def test_stream_cut_before_text_retried(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(text("Lost.", cut_after=1), text("Sure."))

    steps = await collect(make_brain(), state)

    assert "".join(texts(steps)) == "Sure."
    assert len(fake_openai.requests) == 2


async def test_stream_cut_inside_tool_call(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(tool_call("find_open_slots", SLOT_SEARCH, pieces=6, cut_after=4))

    with pytest.raises(BrainUnavailable):
        await collect(make_brain(max_retries=0), state)


async def test_tool_call_cut_retried(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    # Tool calls are held back until the response is complete, so nothing was yielded yet.
    fake_openai.script(
        tool_call("find_open_slots", SLOT_SEARCH, pieces=6, cut_after=4),
        tool_call("find_open_slots", SLOT_SEARCH, id="call_again"),
    )

    steps = await collect(make_brain(max_retries=1), state)

    assert [(c.call_id, c.arguments()) for c in tool_calls(steps)] == [("call_again", SLOT_SEARCH)]


async def test_stream_ending_without_finish(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(text("Your appointment is on", text_chunk_chars=8, cut_after=3, cut="eof"))

    with pytest.raises(BrainUnavailable, match="ended before the model finished"):
        await collect(make_brain(), state)

    assert len(fake_openai.requests) == 1


async def test_empty_response_fails(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(text(""))

    with pytest.raises(BrainUnavailable, match="empty"):
        await collect(make_brain(), state)


async def test_closing_reply_early_closes_stream(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    # Barge-in: the agent loop stops reading after the first piece.
    fake_openai.script(
        text("Let me check. One moment please.", text_chunk_chars=14, chunk_delay=0.2)
    )
    brain = make_brain()
    replies = brain.reply(state, "hi")

    assert await anext(replies) == TextDelta("Let me check. ")
    await replies.aclose()

    fake_openai.script(text("Yes?"))
    steps = await collect(brain, state)
    assert "".join(texts(steps)) == "Yes?"


# Streams carrying an error or unreadable data.

STREAM_ERROR = '{"error": {"message": "The model crashed.", "type": "server_error"}}'
NULL_DELTA = json.dumps(
    {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "delta": None, "finish_reason": None}],
    }
)


async def test_error_event_before_text_retried(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(text("Lost.", inject={1: STREAM_ERROR}), text("Sure."))

    steps = await collect(make_brain(), state)

    assert "".join(texts(steps)) == "Sure."
    assert len(fake_openai.requests) == 2


async def test_error_event_after_text_fails(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(text("Your visit is on Tuesday.", inject={3: STREAM_ERROR}))

    with pytest.raises(BrainUnavailable, match="reported an error"):
        await collect(make_brain(), state)

    assert len(fake_openai.requests) == 1


async def test_event_not_json_fails(fake_openai: FakeOpenAIServer, make_brain, state) -> None:
    fake_openai.script(text("Sure.", inject={1: "{not json"}))

    with pytest.raises(BrainUnavailable, match="not JSON"):
        await collect(make_brain(max_retries=0), state)


async def test_chunk_without_delta_tolerated(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    fake_openai.script(text("Sure thing.", inject={1: NULL_DELTA}))

    steps = await collect(make_brain(), state)

    assert "".join(texts(steps)) == "Sure thing."


async def test_empty_round_after_speech_allowed(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    brain = make_brain()
    fake_openai.script(
        Reply(text="One moment.", tool_calls=tool_call("find_open_slots", SLOT_SEARCH).tool_calls),
        text(""),
    )
    await collect(brain, state)
    state.tool_round = 1

    steps = await collect(brain, state)

    assert texts(steps) == []
    assert tool_calls(steps) == []


async def test_cancelled_reply_leaves_brain_usable(
    fake_openai: FakeOpenAIServer, make_brain, state
) -> None:
    # Barge-in by cancellation: the consumer's task is cancelled while a chunk is awaited.
    fake_openai.script(text("Let me check. One moment please.", text_chunk_chars=14, stall_after=2))
    brain = make_brain()
    first_piece = asyncio.Event()

    async def consume() -> None:
        async for _step in brain.reply(state, "hi"):
            first_piece.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_piece.wait(), timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    fake_openai.script(text("Yes?"))
    steps = await collect(brain, state)
    assert "".join(texts(steps)) == "Yes?"


async def test_unexpected_error_logged_without_message(
    fake_openai: FakeOpenAIServer, state, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_prompt(conversation: object) -> str:
        raise ValueError("Margaret Chen, born 1958-04-12")

    config = LLMConfig(model="fake-model", base_url=fake_openai.base_url, api_key="test-key")
    brain = LLMBrain(config, tools=TEST_TOOLS, system_prompt=broken_prompt)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(BrainUnavailable) as caught:
        await collect(brain, state)
    await brain.aclose()

    assert caught.value.metrics["llm_error"] == "ValueError"
    [record] = [r for r in caplog.records if r.name.startswith("agent")]
    assert "ValueError" in record.getMessage()
    assert "Margaret" not in record.getMessage()
    assert record.exc_info is None
