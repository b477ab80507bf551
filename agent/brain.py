"""The brain contract: what the agent loop asks of the LLM brain and the offline brain.

A brain turns the conversation so far into the next part of the agent's reply: text to say,
streamed in pieces of any size, and requests to run tools. The loop in :mod:`agent.session`
owns everything else. For each caller turn it:

1. appends the caller's words to :attr:`ConversationState.messages` as a ``user`` message
   (after the safety screen; the brain never sees a turn the screen answered itself);
2. calls :meth:`Brain.reply` with ``state.tool_round == 0``;
3. appends one ``assistant`` message with the text said and the ``tool_calls`` requested,
   runs each tool through :func:`tools.registry.call_tool`, appends one ``tool`` message per
   call (``content`` is the :class:`tools.base.ToolResult` as JSON) and records the exchange
   in :attr:`ConversationState.tool_log`;
4. calls :meth:`Brain.reply` again with ``tool_round`` increased, until a reply requests no
   tool.

Messages follow the OpenAI chat-completions format and never contain a system message: the
LLM brain renders its system prompt from ``state`` on every request (see :mod:`prompts`), so
patient details reach the prompt only after verification.

Errors::

    BrainError               the brain cannot answer; the loop hands the rest of the call
    │                        to the offline brain and the caller hears no error
    ├── BrainTimeout         no response (or no first token) within the time budget
    ├── BrainUnavailable     the endpoint failed (HTTP error, connection refused, retries spent)
    └── InvalidToolArguments the brain wrote unusable tool arguments twice in one turn; the
                             loop hands the call to a person instead of falling back
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from agent.facts import ClinicFacts
from tools.base import ToolResult, utc_now

Language = Literal["en", "es"]


class BrainError(Exception):
    """The brain could not produce a reply; the loop falls back to the offline brain.

    Attributes:
        metrics: Measurements of the failed turn, such as ``llm_requests``; the loop merges
            them into the turn's :class:`agent.events.TurnInfo`.
    """

    def __init__(self, message: str = "", *, metrics: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.metrics: dict[str, Any] = dict(metrics or {})


class BrainTimeout(BrainError):
    """The brain produced nothing within its time budget."""


class BrainUnavailable(BrainError):
    """The brain's endpoint failed after its retries."""


class InvalidToolArguments(BrainError):
    """The brain requested tools with unusable arguments twice in one caller turn.

    The loop hands the call to a person: a brain that does not follow the tools' schemas
    should not keep talking to the caller, and the offline brain cannot pick up its task.
    """


@dataclass(frozen=True)
class TextDelta:
    """A piece of text to say; the loop joins pieces and speaks whole sentences."""

    text: str


@dataclass(frozen=True)
class ToolCallRequest:
    """A request to run a tool once the reply's text so far has been handled.

    Attributes:
        call_id: Unique within the call; echoed as ``tool_call_id`` in the ``tool`` message.
        name: A name from :data:`tools.registry.TOOLS`.
        arguments_json: The arguments as a JSON object text, exactly as the model wrote it.
    """

    call_id: str
    name: str
    arguments_json: str

    def arguments(self) -> dict[str, Any]:
        """Return the arguments as a dict, or an empty dict when the JSON is unusable."""
        try:
            value = json.loads(self.arguments_json or "{}")
        except json.JSONDecodeError:
            return {}
        return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class BrainMetrics:
    """Measurements the brain reports for this reply, such as ``llm_first_token_ms``.

    The loop merges them into the turn's :class:`agent.events.TurnInfo`.
    """

    values: Mapping[str, Any]


@dataclass(frozen=True)
class EndCall:
    """The conversation is over: the loop emits :class:`agent.events.Hangup` after the text.

    ``reason`` is a short code for the call record, such as ``"caller_done"``.
    """

    reason: str = "caller_done"


BrainStep = TextDelta | ToolCallRequest | BrainMetrics | EndCall


@dataclass
class VerifiedPatient:
    """The caller whose identity ``verify_patient`` confirmed in this call.

    ``summary`` is what the LLM prompt may carry about the patient after verification (the
    first name to address them by); details come from tools, never from the prompt.
    """

    patient_id: int
    first_name: str
    last_name: str
    summary: str = ""


@dataclass
class PendingReadBack:
    """A read-back said to the caller, awaiting their yes.

    Attributes:
        tool_name: The data-changing tool that proposed it.
        arguments: The arguments of the proposing call, to repeat with ``confirmed=true``.
        message: The read-back as the tool phrased it.
    """

    tool_name: str
    arguments: dict[str, Any]
    message: str


@dataclass
class EscalationState:
    """Whether and why the call is being handed to a person, and the counts that lead there."""

    escalated: bool = False
    reason: str | None = None
    urgency: str = "normal"
    emergency: bool = False
    misunderstood_turns: int = 0
    invalid_tool_arguments: int = 0
    low_confidence_turns: int = 0


@dataclass(frozen=True)
class ToolExchange:
    """One tool call of this call and its result, in the order they ran.

    ``turn`` counts caller turns from 1; ``ran`` is False when the loop skipped the call
    (barge-in before a data-changing call, for instance) and ``result`` then says so.
    """

    call_id: str
    name: str
    arguments: dict[str, Any]
    result: ToolResult
    turn: int
    ran: bool = True


@dataclass
class ConversationState:
    """Everything a brain may read about the call so far.

    Attributes:
        facts: The clinic's public configuration.
        now: Returns the current UTC time (pinned in tests and evals).
        messages: The conversation in OpenAI chat format, without a system message.
        language: ``"en"`` or ``"es"``; the loop switches it when the caller speaks Spanish.
        verified_patient: Set once ``verify_patient`` succeeded.
        pending_read_back: The last read-back awaiting a yes, if any.
        escalation: Hand-over state and the counters that trigger it.
        tool_log: Every tool call of the call with its result.
        tool_round: 0 on the first :meth:`Brain.reply` of a caller turn, then 1, 2... after
            each round of tool results.
        round_results: The tool exchanges of the latest round (empty when ``tool_round`` is
            0), in the order the brain requested them.
        turn: Caller turns so far, counting the current one.
        offer: What the agent last offered outside the brain, such as ``"nurse_message"``
            after the safety rules declined a clinical question, so a brain can act on the
            caller's yes; None when there is no such offer.
        caller_number: The caller ID, when known.
        brain_memory: Per-call scratch space for brains, keyed by brain name; a brain
            shared between calls keeps its per-call state here.
    """

    facts: ClinicFacts
    now: Callable[[], datetime] = utc_now
    messages: list[dict[str, Any]] = field(default_factory=list)
    language: Language = "en"
    verified_patient: VerifiedPatient | None = None
    pending_read_back: PendingReadBack | None = None
    escalation: EscalationState = field(default_factory=EscalationState)
    tool_log: list[ToolExchange] = field(default_factory=list)
    tool_round: int = 0
    round_results: list[ToolExchange] = field(default_factory=list)
    turn: int = 0
    offer: str | None = None
    caller_number: str | None = None
    brain_memory: dict[str, Any] = field(default_factory=dict)

    def local_now(self) -> datetime:
        """Return the current time in the clinic's time zone."""
        return self.now().astimezone(ZoneInfo(self.facts.timezone))


@runtime_checkable
class Brain(Protocol):
    """Decides what the agent says and which tools it calls.

    Attributes:
        name: Recorded on the call row ("offline", "llm").
        model: The model name for the call row, or None.
    """

    name: str
    model: str | None

    def reply(self, state: ConversationState, caller_text: str) -> AsyncIterator[BrainStep]:
        """Stream the next part of the reply.

        Args:
            state: The call so far; the caller's turn is already the last ``user`` message
                when ``state.tool_round`` is 0, and tool results follow it in later rounds.
            caller_text: The caller's words for this turn (the same in every round).

        Raises:
            BrainError: The brain cannot answer. Whole sentences it yielded before the error
                have been spoken and stay; an unfinished sentence and tool requests not yet
                run are dropped, and the offline brain answers the same turn.
        """
        ...
