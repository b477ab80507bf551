"""One chat-completions request: stream it (or fetch it whole) and assemble the message.

Text deltas are handed on as they arrive. Tool calls arrive in pieces: the first delta of a
call carries its ``index``, ``id`` and ``name``, later deltas with the same ``index`` append
to its ``arguments`` text, and parallel calls use different indexes (some servers interleave
them). :class:`ToolCallAssembler` joins the pieces; a call is complete once the stream
reports a finish reason.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import openai
from openai.types.chat import ChatCompletion, ChatCompletionChunk

_T = TypeVar("_T")


class StreamBroken(Exception):
    """The response ended or failed before the model finished it."""


class ResponseTimeout(Exception):
    """No token arrived within the first-token budget, or the stream went silent too long."""


@dataclass
class AssembledToolCall:
    """A tool call as the model wrote it; ``arguments`` may be invalid JSON."""

    index: int
    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass
class AssembledMessage:
    """The assistant message one request produced, with its usage when the server sent it."""

    text: str = ""
    tool_calls: list[AssembledToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    first_token_at: float | None = None


@dataclass
class TextPiece:
    """Text received from the stream, to pass on at once."""

    text: str


class ToolCallAssembler:
    """Joins streamed tool-call deltas into whole calls, by their ``index``."""

    def __init__(self) -> None:
        self._calls: dict[int, AssembledToolCall] = {}
        self._latest = -1

    def add(self, delta: Any) -> None:
        """Merge one ``ChoiceDeltaToolCall`` into the call with the same index."""
        index = delta.index if delta.index is not None else self._guess_index(delta.id)
        self._latest = index
        call = self._calls.setdefault(index, AssembledToolCall(index=index))
        if delta.id:
            call.id = delta.id
        function = delta.function
        if function is None:
            return
        if function.name:
            # Servers send the name once; a few repeat it on every delta, so never append.
            call.name = function.name
        if function.arguments:
            call.arguments += function.arguments

    def _guess_index(self, call_id: str | None) -> int:
        # Some servers omit the index: a delta with a new id starts a call, and one without
        # an id continues the latest call.
        latest = self._calls.get(self._latest)
        if latest is None or (call_id and call_id != latest.id):
            return max(self._calls, default=-1) + 1
        return self._latest

    def calls(self) -> list[AssembledToolCall]:
        """Return the calls in index order."""
        return [self._calls[index] for index in sorted(self._calls)]


@dataclass
class RequestDeadline:
    """When the current request must have produced its first token, and the reply ended."""

    first_token_timeout: float
    reply_deadline: float

    def remaining(self, *, waiting_for_first_token: bool, request_started: float) -> float:
        """Return seconds left for the next read, never below zero."""
        now = time.monotonic()
        limit = self.reply_deadline - now
        if waiting_for_first_token:
            limit = min(limit, request_started + self.first_token_timeout - now)
        else:
            limit = min(limit, self.first_token_timeout)
        return max(limit, 0.0)


async def stream_completion(
    client: openai.AsyncOpenAI,
    request: dict[str, Any],
    deadline: RequestDeadline,
) -> AsyncGenerator[TextPiece | AssembledMessage, None]:
    """Send one streaming request; yield text pieces, then the assembled message last.

    Raises:
        ResponseTimeout: The first token, or the next chunk, came too late.
        StreamBroken: The stream failed, reported an error or ended without a finish reason.
        openai.APIStatusError: The server returned an error status.
        openai.APIConnectionError: The connection could not be made.
    """
    started = time.monotonic()
    message = AssembledMessage()
    assembler = ToolCallAssembler()
    stream = await _wait(
        client.chat.completions.create(
            **request, stream=True, stream_options={"include_usage": True}
        ),
        deadline.remaining(waiting_for_first_token=True, request_started=started),
    )
    try:
        while True:
            waiting = message.first_token_at is None
            timeout = deadline.remaining(waiting_for_first_token=waiting, request_started=started)
            try:
                chunk = await _wait(anext(stream), timeout)
            except StopAsyncIteration:
                break
            except openai.APITimeoutError as error:
                raise ResponseTimeout("The stream went silent.") from error
            except openai.APIConnectionError as error:
                raise StreamBroken("The connection broke in the middle of the response.") from error
            except openai.APIError as error:
                # An ``{"error": ...}`` event inside the stream, as vLLM sends on a failure.
                raise StreamBroken("The server reported an error inside the stream.") from error
            except json.JSONDecodeError as error:
                raise StreamBroken("The server sent a stream event that is not JSON.") from error
            text = _apply_chunk(chunk, message, assembler)
            if text:
                yield TextPiece(text)
    finally:
        await stream.close()

    if message.finish_reason is None:
        raise StreamBroken("The response ended before the model finished it.")
    message.tool_calls = assembler.calls()
    yield message


def _apply_chunk(
    chunk: ChatCompletionChunk, message: AssembledMessage, assembler: ToolCallAssembler
) -> str:
    """Fold one chunk into ``message``; return its text."""
    if chunk.usage is not None:
        message.prompt_tokens = chunk.usage.prompt_tokens
        message.completion_tokens = chunk.usage.completion_tokens
    if not chunk.choices:
        return ""
    choice = chunk.choices[0]
    # The client does not validate chunks, so a server may leave the delta out.
    delta = choice.delta
    text = (delta.content if delta is not None else None) or ""
    tool_deltas = (delta.tool_calls if delta is not None else None) or []
    if (text or tool_deltas) and message.first_token_at is None:
        message.first_token_at = time.monotonic()
    message.text += text
    for tool_delta in tool_deltas:
        assembler.add(tool_delta)
    if choice.finish_reason is not None:
        message.finish_reason = choice.finish_reason
    return text


async def fetch_completion(
    client: openai.AsyncOpenAI,
    request: dict[str, Any],
    deadline: RequestDeadline,
) -> AssembledMessage:
    """Send one non-streaming request and return its message.

    The first-token budget covers the whole response here, since nothing arrives earlier.
    """
    started = time.monotonic()
    completion: ChatCompletion = await _wait(
        client.chat.completions.create(**request, stream=False),
        deadline.remaining(waiting_for_first_token=True, request_started=started),
    )
    message = AssembledMessage(first_token_at=time.monotonic())
    if completion.usage is not None:
        message.prompt_tokens = completion.usage.prompt_tokens
        message.completion_tokens = completion.usage.completion_tokens
    if not completion.choices:
        raise StreamBroken("The response contained no choices.")
    choice = completion.choices[0]
    message.text = choice.message.content or ""
    message.finish_reason = choice.finish_reason
    message.tool_calls = [
        AssembledToolCall(
            index=index,
            id=call.id,
            name=call.function.name,
            arguments=call.function.arguments,
        )
        for index, call in enumerate(_function_calls(choice.message.tool_calls or ()))
    ]
    return message


def _function_calls(calls: Sequence[Any]) -> list[Any]:
    # Custom (non-function) tool calls are never offered, so only function calls count.
    return [call for call in calls if getattr(call, "function", None) is not None]


async def _wait(awaitable: Awaitable[_T], seconds: float) -> _T:
    try:
        return await asyncio.wait_for(awaitable, timeout=seconds)
    except TimeoutError as error:
        raise ResponseTimeout("No token arrived in time.") from error
