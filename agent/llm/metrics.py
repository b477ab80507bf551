"""Measurements the LLM brain takes per caller turn, for :class:`agent.events.TurnInfo`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.llm.streaming import AssembledMessage


@dataclass
class LLMTurnMetrics:
    """Measurements summed over the replies (tool rounds) of one caller turn.

    Attributes:
        turn: The caller turn measured.
        rounds: Calls to ``reply`` in this turn (one plus one per round of tool results).
        first_token_ms: Per round, milliseconds from the start of ``reply`` to the first
            token of text or tool call, retries and argument repairs included.
        total_ms: Milliseconds spent inside ``reply``, including the time the consumer
            held each streamed piece.
        prompt_tokens: Summed prompt tokens; None when the server reported no usage.
        completion_tokens: Summed completion tokens; None when the server reported no usage.
        requests: HTTP requests sent, retries and repairs included.
        retries: Requests repeated after a retryable failure.
        repairs: Requests that sent the model its invalid tool arguments to fix.
        invalid_tool_arguments: Responses with invalid tool arguments.
        text_chars: Characters of text yielded in this turn.
    """

    turn: int
    rounds: int = 0
    first_token_ms: list[float] = field(default_factory=list)
    total_ms: float = 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    requests: int = 0
    retries: int = 0
    repairs: int = 0
    invalid_tool_arguments: int = 0
    text_chars: int = 0
    _rounds_timed: int = 0

    def add_response(self, message: AssembledMessage, reply_started: float) -> None:
        """Add one response's usage and, for the round's first response, its first token."""
        if message.prompt_tokens is not None:
            self.prompt_tokens = (self.prompt_tokens or 0) + message.prompt_tokens
        if message.completion_tokens is not None:
            self.completion_tokens = (self.completion_tokens or 0) + message.completion_tokens
        if message.first_token_at is not None and self._rounds_timed < self.rounds:
            self.first_token_ms.append((message.first_token_at - reply_started) * 1000)
            self._rounds_timed = self.rounds

    def values(self) -> dict[str, Any]:
        """Return the measurements as ``TurnInfo.metrics`` entries, prefixed ``llm_``."""
        return {
            "llm_first_token_ms": self.first_token_ms[0] if self.first_token_ms else None,
            "llm_first_token_ms_by_round": list(self.first_token_ms),
            "llm_total_ms": self.total_ms,
            "llm_prompt_tokens": self.prompt_tokens,
            "llm_completion_tokens": self.completion_tokens,
            "llm_rounds": self.rounds,
            "llm_requests": self.requests,
            "llm_retries": self.retries,
            "llm_repairs": self.repairs,
        }
