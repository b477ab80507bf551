"""Bookkeeping for one agent reply: what was said, which tools ran, what must follow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

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
