"""The LLM brain: chat completions with function calling against any OpenAI-compatible endpoint.

One :meth:`LLMBrain.reply` sends the conversation with the system prompt and the tool schemas
and streams the model's text on as it arrives. It yields the tool calls once the response is
complete and every call's arguments parse and validate against the tool's model. The model
may also call ``end_call`` (:mod:`agent.llm.end_call`), which the brain yields as
:class:`agent.brain.EndCall` instead of a tool call. When a call
is invalid, the brain sends the model its mistake and asks again within the same reply; a
second invalid response in the same caller turn raises :class:`InvalidToolArguments`.

Failures become :class:`agent.brain.BrainError` subclasses. After a timeout or an
unavailable endpoint the agent loop hands the rest of the call to the offline brain; after
invalid tool arguments it hands the call to a person::

    BrainError
    ├── BrainTimeout          no first token in time, a stream silent too long, or the reply
    │                         budget spent
    ├── BrainUnavailable      HTTP error status, broken connection or stream, retries spent,
    │                         or an empty response
    └── InvalidToolArguments  unusable tool arguments twice in one caller turn

HTTP 408, 409, 429 and 5xx and refused connections are retried with backoff (honouring
``Retry-After``) while the retry budget and the reply's time budget allow and nothing of the
response has been yielded yet. Timeouts are not retried: the caller is already waiting.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import traceback
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import aclosing
from typing import Any

import openai

from agent.brain import (
    BrainError,
    BrainMetrics,
    BrainStep,
    BrainTimeout,
    BrainUnavailable,
    ConversationState,
    EndCall,
    InvalidToolArguments,
    TextDelta,
    ToolCallRequest,
)
from agent.llm.arguments import tool_call_problem
from agent.llm.config import LLMConfig
from agent.llm.end_call import END_CALL, END_CALL_TOOL, end_call_reason
from agent.llm.metrics import LLMTurnMetrics
from agent.llm.streaming import (
    AssembledMessage,
    AssembledToolCall,
    RequestDeadline,
    ResponseTimeout,
    StreamBroken,
    TextPiece,
    fetch_completion,
    stream_completion,
)
from prompts import render_system_prompt
from tools.base import Tool, ToolResult

logger = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
BACKOFF_BASE_SECONDS = 0.25
INVALID_ARGUMENTS_LIMIT = 2
NOT_RUN_MESSAGE = (
    "Not run, because another tool call in the same reply had invalid arguments. "
    "Call it again if it is still needed."
)


SystemPrompt = Callable[[ConversationState], str]


class LLMBrain:
    """A :class:`agent.brain.Brain` backed by an OpenAI-compatible chat-completions endpoint.

    One instance may serve many calls: everything per call lives in
    ``state.brain_memory["llm"]``.

    Args:
        config: Endpoint, model, timeouts and retry budget.
        tools: The tools offered to the model; :data:`tools.registry.TOOLS` by default.
        system_prompt: Renders the system prompt from the conversation state;
            :func:`prompts.render_system_prompt` by default.
        client: An existing client; by default one is made from ``config``.
    """

    name = "llm"

    def __init__(
        self,
        config: LLMConfig,
        *,
        tools: Mapping[str, Tool] | None = None,
        system_prompt: SystemPrompt = render_system_prompt,
        client: openai.AsyncOpenAI | None = None,
    ) -> None:
        if tools is None:
            from tools.registry import TOOLS

            tools = TOOLS
        self.config = config
        self.model: str | None = config.model
        # The model may also call end_call, which the brain handles itself (see
        # agent.llm.end_call); a clinic tool of the same name would take precedence.
        self._tools = {**tools}
        self._tools.setdefault(END_CALL, END_CALL_TOOL)
        self._tool_schemas = [tool.openai_schema() for tool in self._tools.values()]
        self._system_prompt = system_prompt
        self._client = client if client is not None else config.make_client()

    async def aclose(self) -> None:
        """Close the HTTP connections of the client."""
        await self._client.close()

    def turn_metrics(self, state: ConversationState) -> LLMTurnMetrics:
        """Return the measurements of the current caller turn, also after a ``BrainError``."""
        memory: dict[str, Any] = state.brain_memory.setdefault(self.name, {})
        metrics = memory.get("turn_metrics")
        if not isinstance(metrics, LLMTurnMetrics) or metrics.turn != state.turn:
            metrics = LLMTurnMetrics(turn=state.turn)
            memory["turn_metrics"] = metrics
        return metrics

    async def reply(self, state: ConversationState, caller_text: str) -> AsyncIterator[BrainStep]:
        """Stream the next part of the reply; see :meth:`agent.brain.Brain.reply`.

        Raises:
            BrainTimeout: No first token in time, or the reply's time budget is spent.
            BrainUnavailable: The endpoint failed after the retries allowed.
            InvalidToolArguments: Invalid tool arguments twice in this caller turn.

            Each error carries the turn's measurements in ``metrics``, with ``llm_error``
            naming the error, because no :class:`agent.brain.BrainMetrics` step follows it.
        """
        metrics = self.turn_metrics(state)
        try:
            async with aclosing(self._reply(state, metrics)) as steps:
                async for step in steps:
                    yield step
        except BrainError as error:
            error.metrics.update(metrics.values(), llm_error=type(error).__name__)
            raise
        except Exception as error:
            # A malformed server reply that slipped past the request's own handling still
            # ends in a BrainError, so the loop falls back instead of failing the call.
            _log_unexpected(error)
            failure = BrainUnavailable("The LLM reply failed unexpectedly.")
            failure.metrics.update(metrics.values(), llm_error=type(error).__name__)
            raise failure from error

    async def _reply(
        self, state: ConversationState, metrics: LLMTurnMetrics
    ) -> AsyncGenerator[BrainStep, None]:
        metrics.rounds += 1
        started = time.monotonic()
        deadline = RequestDeadline(
            first_token_timeout=self.config.first_token_timeout,
            reply_deadline=started + self.config.reply_timeout,
        )
        messages = [{"role": "system", "content": self._system_prompt(state)}, *state.messages]
        used_ids = _call_ids_in(state.messages)
        try:
            while True:
                message: AssembledMessage | None = None
                # aclosing() ends the HTTP stream at once when the consumer stops reading
                # (barge-in), rather than whenever the garbage collector gets to it.
                async with aclosing(self._request(messages, deadline, metrics)) as pieces:
                    async for piece in pieces:
                        if isinstance(piece, TextPiece):
                            metrics.text_chars += len(piece.text)
                            yield TextDelta(piece.text)
                        else:
                            message = piece
                assert message is not None
                metrics.add_response(message, started)
                _assign_call_ids(message.tool_calls, used_ids, state)
                problems = [tool_call_problem(call, self._tools) for call in message.tool_calls]
                if not any(problems):
                    break
                self._count_invalid(state, metrics)
                messages = [*messages, *_repair_messages(message, problems)]
        finally:
            metrics.total_ms += (time.monotonic() - started) * 1000

        # An empty response after tool results may end a turn that has spoken already. One
        # that leaves the whole turn silent is a failure, which the fallback brain handles.
        if not message.tool_calls and metrics.text_chars == 0:
            raise BrainUnavailable("The model returned an empty response.")
        end: EndCall | None = None
        for call in message.tool_calls:
            if call.name == END_CALL and self._tools[END_CALL] is END_CALL_TOOL:
                end = EndCall(reason=end_call_reason(call.arguments))
                continue
            yield ToolCallRequest(call_id=call.id, name=call.name, arguments_json=call.arguments)
        if end is not None:
            yield end
        yield BrainMetrics(values=metrics.values())

    def _count_invalid(self, state: ConversationState, metrics: LLMTurnMetrics) -> None:
        metrics.invalid_tool_arguments += 1
        state.escalation.invalid_tool_arguments += 1
        logger.warning(
            "The model sent invalid tool arguments",
            extra={"turn": state.turn, "count": metrics.invalid_tool_arguments},
        )
        if metrics.invalid_tool_arguments >= INVALID_ARGUMENTS_LIMIT:
            raise InvalidToolArguments(
                "The model sent invalid tool arguments twice in this caller turn."
            )
        metrics.repairs += 1

    def _request_body(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": messages,
            "temperature": self.config.temperature,
        }
        if self._tool_schemas:
            body["tools"] = self._tool_schemas
        return body

    async def _request(
        self,
        messages: list[dict[str, Any]],
        deadline: RequestDeadline,
        metrics: LLMTurnMetrics,
    ) -> AsyncGenerator[TextPiece | AssembledMessage, None]:
        """Yield one response's text pieces and then its message, retrying where allowed."""
        body = self._request_body(messages)
        retries = 0
        while True:
            metrics.requests += 1
            yielded_text = False
            try:
                if self.config.stream:
                    stream = stream_completion(self._client, body, deadline)
                    async with aclosing(stream) as pieces:
                        async for piece in pieces:
                            yielded_text = yielded_text or isinstance(piece, TextPiece)
                            yield piece
                else:
                    message = await fetch_completion(self._client, body, deadline)
                    if message.text:
                        yield TextPiece(message.text)
                    yield message
                return
            except ResponseTimeout as error:
                raise BrainTimeout("The LLM did not answer in time.") from error
            except openai.APITimeoutError as error:
                raise BrainTimeout("The LLM request timed out.") from error
            except (StreamBroken, openai.APIStatusError, openai.APIConnectionError) as error:
                failure: Exception = error
            except Exception as error:
                # A server reply the client could not handle must still end in a BrainError,
                # which the loop handles by falling back, never in a crash mid-call.
                _log_unexpected(error)
                raise BrainUnavailable("The LLM request failed unexpectedly.") from error

            if yielded_text or not _is_retryable(failure) or retries >= self.config.max_retries:
                raise BrainUnavailable(_describe(failure)) from failure
            delay = _retry_delay(failure, retries)
            if time.monotonic() + delay >= deadline.reply_deadline:
                raise BrainUnavailable(
                    f"{_describe(failure)} No time is left in the reply budget to retry."
                ) from failure
            logger.warning(
                "LLM request failed; retrying",
                extra={"error": _describe(failure), "retry": retries + 1, "delay_s": delay},
            )
            await asyncio.sleep(delay)
            retries += 1
            metrics.retries += 1


def _log_unexpected(error: Exception) -> None:
    """Log an unexpected error by type and stack frames only: its message may quote the model."""
    frames = traceback.extract_tb(error.__traceback__)
    stack = "\n".join(f"  {frame.filename}:{frame.lineno} in {frame.name}" for frame in frames)
    logger.error("Unexpected failure of an LLM request: %s\n%s", type(error).__name__, stack)


def _is_retryable(error: Exception) -> bool:
    if isinstance(error, StreamBroken):
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in RETRYABLE_STATUS or error.status_code >= 500
    return isinstance(error, openai.APIConnectionError)


def _retry_delay(error: Exception, retries: int) -> float:
    """Seconds to wait before retry number ``retries + 1``: ``Retry-After`` or backoff."""
    if isinstance(error, openai.APIStatusError):
        hinted = _retry_after_seconds(error.response.headers)
        if hinted is not None:
            return hinted
    # Jitter spreads the retries of simultaneous calls hit by the same outage.
    return float(BACKOFF_BASE_SECONDS * 2**retries * random.uniform(0.8, 1.2))


def _retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    # NOTE: only the delta-seconds forms are read; an HTTP-date Retry-After falls back to
    # exponential backoff.
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(float(value) * scale, 0.0)
        except ValueError:
            continue
    return None


def _describe(error: Exception) -> str:
    if isinstance(error, openai.APIStatusError):
        return f"The LLM endpoint answered HTTP {error.status_code}."
    if isinstance(error, StreamBroken):
        return str(error)
    return "The LLM endpoint could not be reached."


def _call_ids_in(messages: list[dict[str, Any]]) -> set[str]:
    return {
        str(call.get("id"))
        for message in messages
        if message.get("role") == "assistant"
        for call in message.get("tool_calls") or ()
    }


def _assign_call_ids(
    calls: list[AssembledToolCall], used: set[str], state: ConversationState
) -> None:
    """Give every call an id unique within the call; some servers repeat or omit them."""
    for call in calls:
        if not call.id or call.id in used:
            suffix = 0
            while f"call_{state.turn}_{state.tool_round}_{call.index}_{suffix}" in used:
                suffix += 1
            call.id = f"call_{state.turn}_{state.tool_round}_{call.index}_{suffix}"
        used.add(call.id)


def _repair_messages(message: AssembledMessage, problems: list[str | None]) -> list[dict[str, Any]]:
    """Return the invalid exchange as messages that tell the model what to fix."""
    assistant: dict[str, Any] = {
        "role": "assistant",
        "content": message.text or None,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in message.tool_calls
        ],
    }
    results = []
    for call, problem in zip(message.tool_calls, problems, strict=True):
        result = ToolResult(ok=False, message=problem or NOT_RUN_MESSAGE, error="invalid_argument")
        results.append(
            {"role": "tool", "tool_call_id": call.id, "content": result.model_dump_json()}
        )
    return [assistant, *results]
