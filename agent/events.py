"""What the agent emits while it answers one caller turn.

The agent knows nothing of telephony: a text chat prints these events, the phone adapter
turns ``Speech`` into audio and ``Transfer``/``Hangup`` into call control, and evals record
them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Speech:
    """One sentence to say to the caller, ready for text-to-speech."""

    text: str


@dataclass(frozen=True)
class ToolStarted:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ToolFinished:
    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]


@dataclass(frozen=True)
class Transfer:
    """Hand the call to a person at ``number``; with no number, a message was taken."""

    reason: str
    urgency: str = "normal"
    number: str | None = None


@dataclass(frozen=True)
class Hangup:
    """End the call after the preceding speech has played."""

    reason: str


@dataclass(frozen=True)
class TurnInfo:
    """Measurements of a finished agent turn, such as the LLM's time to first token."""

    brain: str
    metrics: dict[str, Any] = field(default_factory=dict)


AgentEvent = Speech | ToolStarted | ToolFinished | Transfer | Hangup | TurnInfo
