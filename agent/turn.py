"""Bookkeeping for one agent reply: what was said, which tools ran, what must follow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from agent.brain import ToolCallRequest
from agent.events import Transfer

Speaker = Literal["caller", "agent", "system"]


@dataclass
class TranscriptEntry:
    """One line of the call's transcript as the session keeps it in memory."""

    speaker: Speaker
    text: str
    at: datetime
    interrupted: bool = False
    stt_confidence: float | None = None


@dataclass
class TurnRecord:
    """The state of the reply to one caller turn (or of the greeting) while it is produced.

    Attributes:
        number: The caller turn it answers; 0 for the greeting.
        started_at: When the reply started.
        spoken: The sentences yielded as :class:`agent.events.Speech`, in order.
        assistant_messages: The ``assistant`` messages this reply appended to the state,
            so a barge-in can cut their text down to what was delivered.
        metrics: Merged into the turn's :class:`agent.events.TurnInfo`.
        brain: The name of the brain that answered last.
        transfer: The hand-over to announce at the end of the reply, if any.
        escalate_reason: Set when the loop itself must hand the call over after the brain.
        escalation_requested: A tool result asked for a hand-over (``escalate=True``).
        handover_attempted: The brain itself called ``transfer_to_human`` in this reply,
            whether or not it succeeded, so the loop does not start a second hand-over.
        hangup_reason: Set when the brain ended the conversation.
        completed: The reply ran to its end; False after a barge-in or cancellation.
        interrupted: The caller barged in; ``delivered`` holds what they heard.
        recorded: The reply's transcript line has been written.
    """

    number: int
    started_at: datetime
    spoken: list[str] = field(default_factory=list)
    assistant_messages: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    brain: str = ""
    transfer: Transfer | None = None
    escalate_reason: str | None = None
    escalation_requested: bool = False
    handover_attempted: bool = False
    hangup_reason: str | None = None
    completed: bool = False
    interrupted: bool = False
    delivered: str | None = None
    recorded: bool = False

    @property
    def text(self) -> str:
        """What the caller heard of this reply: all of it, or the delivered part."""
        if self.delivered is not None:
            return self.delivered
        return " ".join(self.spoken)


def append_assistant(
    messages: list[dict[str, Any]],
    turn: TurnRecord,
    text: str,
    requests: list[ToolCallRequest] | None = None,
) -> None:
    """Append an ``assistant`` message with ``text`` and tool calls, in OpenAI chat format."""
    if not text and not requests:
        return
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if requests:
        message["tool_calls"] = [
            {
                "id": request.call_id,
                "type": "function",
                "function": {"name": request.name, "arguments": request.arguments_json},
            }
            for request in requests
        ]
    messages.append(message)
    turn.assistant_messages.append(message)


def close_message(messages: list[dict[str, Any]], turn: TurnRecord) -> None:
    """Append the spoken words that no assistant message of ``turn`` holds yet.

    Rule-made replies (safety answers, hand-overs) and replies cut short are spoken before
    any message records them; this keeps the conversation equal to what was said.
    """
    in_messages = sum(len((m.get("content") or "").split()) for m in turn.assistant_messages)
    said = " ".join(turn.spoken).split()
    if len(said) > in_messages:
        append_assistant(messages, turn, " ".join(said[in_messages:]))
