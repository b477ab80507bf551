"""Measure what the LLM brain adds to a model's own latency, against a local fake endpoint.

The fake OpenAI-compatible server (``tests/fakes/openai_server.py``) responds at once, so the
figures are the cost of the openai client, HTTP on 127.0.0.1, SSE parsing, tool-call
assembly and argument validation: the part of the time to first token that is not the model.
The server runs in a thread of the same process, so both sides share one interpreter.

Run from the repository root::

    .venv/bin/python -m benchmarks.llm_brain_overhead --replies 200
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable

from agent.brain import BrainMetrics, ConversationState, TextDelta, ToolCallRequest
from agent.llm import LLMBrain, LLMConfig
from tests.fakes.openai_server import FakeOpenAIServer, ScriptedReply, text, tool_call
from tests.llm.conftest import TEST_TOOLS, make_facts

SENTENCE = "Dr. Patel has an opening on Tuesday, March 10 at 9:15 AM. Shall I book it?"
SLOT_SEARCH = {"appointment_type": "follow_up", "date_from": "2026-03-10", "provider_id": 1}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(
    server: FakeOpenAIServer, brain: LLMBrain, make_reply: Callable[[], ScriptedReply], count: int
) -> tuple[list[float], list[float]]:
    """Return per-reply milliseconds to the first step and to the end."""
    first: list[float] = []
    total: list[float] = []
    for _ in range(count):
        state = ConversationState(facts=make_facts())
        state.turn = 1
        state.messages.append({"role": "user", "content": "I need a follow-up visit."})
        server.script(make_reply())
        started = time.perf_counter()
        first_at: float | None = None
        async for step in brain.reply(state, "I need a follow-up visit."):
            if first_at is None and isinstance(step, TextDelta | ToolCallRequest):
                first_at = time.perf_counter()
            if isinstance(step, BrainMetrics):
                total.append((time.perf_counter() - started) * 1000)
        assert first_at is not None
        first.append((first_at - started) * 1000)
    return first, total


def report(label: str, first: list[float], total: list[float]) -> None:
    print(
        f"{label:<28} first step p50 {statistics.median(first):6.1f} ms"
        f"  p95 {percentile(first, 0.95):6.1f} ms"
        f" | whole reply p50 {statistics.median(total):6.1f} ms"
        f"  p95 {percentile(total, 0.95):6.1f} ms"
    )


async def run(count: int) -> None:
    server = FakeOpenAIServer()
    server.start()
    config = LLMConfig(model="fake-model", base_url=server.base_url, api_key="benchmark")
    brain = LLMBrain(config, tools=TEST_TOOLS)
    # The same brain without rendering prompts/system_prompt.j2, to show what rendering costs.
    fixed_prompt = LLMBrain(
        config, tools=TEST_TOOLS, system_prompt=lambda state: "You are a receptionist."
    )
    try:
        cases: list[tuple[str, Callable[[], ScriptedReply]]] = [
            ("text, 6-character chunks", lambda: text(SENTENCE)),
            ("text, one chunk", lambda: text(SENTENCE, text_chunk_chars=len(SENTENCE))),
            ("tool call in 8 pieces", lambda: tool_call("find_open_slots", SLOT_SEARCH, pieces=8)),
        ]
        await measure(server, brain, cases[0][1], 5)  # warm the connection pool
        print(f"{count} replies per case, streaming, fake server on 127.0.0.1")
        for label, make_reply in cases:
            first, total = await measure(server, brain, make_reply, count)
            report(label, first, total)
        first, total = await measure(server, fixed_prompt, cases[0][1], count)
        report("text, fixed system prompt", first, total)
    finally:
        await fixed_prompt.aclose()
        await brain.aclose()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=200, help="replies measured per case")
    asyncio.run(run(parser.parse_args().replies))


if __name__ == "__main__":
    main()
