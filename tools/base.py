"""What every tool shares: the call context, the result shape and the registry entry.

Tools are plain async functions ``async def tool(ctx: CallContext, args: SomeArgs) -> ToolResult``
that know nothing of any LLM. The agent loop finds them in :data:`tools.registry.TOOLS` and
runs them through :func:`tools.registry.call_tool`, which validates arguments, enforces the
identity gate, records the call and turns internal failures into caller-safe results.

Errors raised inside tools::

    ToolError                  caller-safe message, returned to the model as a failed result
    ├── InvalidArgument        a value the caller or model gave is unusable
    ├── NotVerified            the tool needs a verified patient first
    ├── NotFound               no such provider, appointment, plan, medication...
    ├── RuleViolation          a clinic rule forbids it (outside hours, new-patient visit...)
    ├── SlotTaken              another booking holds that time
    └── ConfirmationRequired   the caller has not said yes to the read-back yet

Anything else is an internal error: it is logged without patient data and the model sees
only a generic "could not complete that" message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CallContext:
    """The state one call's tools share: who is verified, what awaits a yes, which call.

    Args:
        session_factory: Opens sessions on the clinic database.
        clinic_id: The clinic this deployment answers for.
        call_id: The ``call`` row tool calls are recorded on; None records nothing.
        now: The current UTC time; tests and evals pin it.
        caller_number: The caller ID, used as a tie-breaker in identity checks.
        actor: Written into audit events ("agent", or "staff:<username>").
    """

    session_factory: sessionmaker[Session]
    clinic_id: int
    call_id: int | None = None
    now: Callable[[], datetime] = utc_now
    caller_number: str | None = None
    actor: str = "agent"
    verified_patient_id: int | None = None
    # Failed verifications in the whole call; a later success does not reset the count.
    verification_failures: int = 0
    # (first name, last name, date of birth) that registration checked against the charts.
    registration_checks: set[tuple[str, str, str]] = field(default_factory=set)
    # Read-backs awaiting the caller's yes, by tool name: the normalised arguments proposed.
    pending_confirmations: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Set by the agent loop for the turn in which the caller said yes to a read-back.
    caller_confirmed: bool = False
    tool_call_seq: int = 0


class ToolResult(BaseModel):
    """What a tool returns to the agent; ``message`` may be spoken to the caller as is."""

    ok: bool
    message: str = Field(description="Caller-safe, speakable summary of the outcome.")
    data: dict[str, Any] = Field(default_factory=dict)
    error: str | None = Field(default=None, description="Machine-readable error code.")
    needs_confirmation: bool = False
    escalate: bool = False


class ToolError(Exception):
    """A failure whose message is safe to show the model and say to the caller."""

    code = "tool_error"

    def __init__(self, message: str, *, data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data or {}

    def to_result(self) -> ToolResult:
        return ToolResult(ok=False, message=self.message, error=self.code, data=self.data)


class InvalidArgument(ToolError):
    code = "invalid_argument"


class NotVerified(ToolError):
    code = "not_verified"


class NotFound(ToolError):
    code = "not_found"


class RuleViolation(ToolError):
    code = "rule_violation"


class SlotTaken(ToolError):
    code = "slot_taken"


class ConfirmationRequired(ToolError):
    code = "confirmation_required"


ToolFunction = Callable[[CallContext, Any], Awaitable[ToolResult]]


@dataclass(frozen=True)
class Tool:
    """A registry entry: the function, its argument model and the rules around it.

    Attributes:
        name: The function name the model calls.
        description: Written for the model: when to call it and what it returns.
        arguments: Pydantic model validating the arguments; its field descriptions
            become the JSON schema the model sees.
        function: The async implementation.
        requires_verified_patient: Refused until ``verify_patient`` succeeded in this call.
        changes_data: Writes to the database; such calls are skipped when the caller
            barges in on the reply that asked for them.
    """

    name: str
    description: str
    arguments: type[BaseModel]
    function: ToolFunction
    requires_verified_patient: bool = False
    changes_data: bool = False

    def openai_schema(self) -> dict[str, Any]:
        """Return the tool in the OpenAI chat-completions ``tools`` format."""
        parameters = self.arguments.model_json_schema()
        parameters.pop("title", None)
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": parameters,
            },
        }
