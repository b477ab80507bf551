"""Run the brain's tool calls and fold their results into the conversation state."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from agent.brain import (
    ConversationState,
    PendingReadBack,
    ToolCallRequest,
    ToolExchange,
    VerifiedPatient,
)
from agent.events import Transfer
from agent.turn import TurnRecord
from tools.base import CallContext, ToolResult
from tools.registry import TOOLS, call_tool

logger = logging.getLogger(__name__)

TRANSFER_TOOL = "transfer_to_human"
INVALID_ARGUMENTS_LIMIT = 2

# Words for staff, as transfer_to_human records them, by the loop's reason code.
HANDOVER_REASONS = {
    "caller_request": "caller asked for a person",
    "not_understood": "the assistant could not understand the caller",
    "identity_not_verified": "identity not verified",
    "tool_requested_escalation": "a tool asked for a person to take over",
    "low_stt_confidence": "the caller could not be heard clearly",
    "invalid_tool_arguments": "the assistant called its tools incorrectly",
    "brain_failed": "the assistant failed",
    "too_many_tool_rounds": "the assistant could not finish the request",
    "billing_question": "billing question",
    "caller_upset": "caller is upset",
    "clinical_question": "clinical question for the care team",
    "callback_requested": "caller asked to be called back",
    "no_suitable_slot": "no suitable appointment time found",
    "registration_incomplete": "new patient registration could not be completed",
}


def not_run_result(reason: str) -> ToolResult:
    """Return the result recorded for a tool call the loop skipped."""
    return ToolResult(
        ok=False,
        error="not_run",
        message="This was not done because the caller interrupted.",
        data={"reason": reason},
    )


class ToolOutcomeHandler:
    """Run tool calls for one call and keep the state in step with their results.

    Args:
        ctx: The call's tool context.
        state: The conversation the results are appended to.
    """

    def __init__(self, ctx: CallContext, state: ConversationState) -> None:
        self.ctx = ctx
        self.state = state
        self._answered: set[str] = set()
        self._read_back_turn = -1
        self._sequence = 0

    def next_call_id(self, prefix: str = "loop") -> str:
        """Return a call id for a tool call the loop makes itself."""
        self._sequence += 1
        return f"{prefix}_{self.state.turn}_{self._sequence}"

    @staticmethod
    def changes_data(name: str) -> bool:
        """Return whether the tool called ``name`` writes to the database."""
        tool = TOOLS.get(name)
        return bool(tool and tool.changes_data)

    def proposed_in(self, turn: TurnRecord) -> bool:
        """Return whether a read-back was proposed during ``turn``."""
        return self._read_back_turn == turn.number

    async def run(self, turn: TurnRecord, request: ToolCallRequest) -> ToolResult:
        """Run ``request`` and absorb its result.

        The call is shielded from cancellation: a tool whose transaction already started
        finishes, and its result is recorded before the cancellation goes on.
        """
        task = asyncio.ensure_future(
            call_tool(self.ctx, request.name, request.arguments_json or "{}")
        )
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError:
            result = await task
            self.absorb(turn, request, result)
            raise
        self.absorb(turn, request, result)
        return result

    def skip(self, turn: TurnRecord, request: ToolCallRequest, *, reason: str) -> None:
        """Record ``request`` as not run, keeping the conversation well formed."""
        self._append(turn, request, not_run_result(reason), ran=False)

    def answer_unanswered(self, turn: TurnRecord) -> None:
        """Give every tool call of ``turn`` that has no result a not-run result."""
        for message in turn.assistant_messages:
            for call in message.get("tool_calls") or []:
                if call["id"] in self._answered:
                    continue
                function = call["function"]
                request = ToolCallRequest(call["id"], function["name"], function["arguments"])
                self.skip(turn, request, reason="interrupted")

    def absorb(self, turn: TurnRecord, request: ToolCallRequest, result: ToolResult) -> None:
        """Append ``result`` to the conversation and apply what it means for the call."""
        arguments = self._append(turn, request, result, ran=True)
        state = self.state
        self._track_identity(arguments, result)
        self._track_read_back(turn, request.name, arguments, result)
        if result.escalate:
            turn.escalation_requested = True
        self._count_invalid_arguments(turn, result)
        if request.name == TRANSFER_TOOL:
            turn.handover_attempted = True
        if request.name == TRANSFER_TOOL and result.ok:
            turn.transfer = transfer_event(arguments, result)
            state.escalation.escalated = True
            state.escalation.reason = turn.transfer.reason
            state.escalation.urgency = turn.transfer.urgency

    def _track_identity(self, arguments: dict[str, Any], result: ToolResult) -> None:
        """Follow ``ctx.verified_patient_id``, set by verification or by registration."""
        patient_id = self.ctx.verified_patient_id
        current = self.state.verified_patient
        if patient_id is None or (current is not None and current.patient_id == patient_id):
            return
        names = result.data if "first_name" in result.data else arguments
        self.state.verified_patient = VerifiedPatient(
            patient_id=patient_id,
            first_name=str(names.get("first_name", "")),
            last_name=str(names.get("last_name", "")),
        )

    def _append(
        self, turn: TurnRecord, request: ToolCallRequest, result: ToolResult, *, ran: bool
    ) -> dict[str, Any]:
        arguments = request.arguments()
        exchange = ToolExchange(
            call_id=request.call_id,
            name=request.name,
            arguments=arguments,
            result=result,
            turn=self.state.turn,
            ran=ran,
        )
        self.state.tool_log.append(exchange)
        self.state.round_results.append(exchange)
        self.state.messages.append(
            {
                "role": "tool",
                "tool_call_id": request.call_id,
                "content": result.model_dump_json(),
            }
        )
        self._answered.add(request.call_id)
        return arguments

    def _track_read_back(
        self, turn: TurnRecord, name: str, arguments: dict[str, Any], result: ToolResult
    ) -> None:
        state = self.state
        if result.needs_confirmation:
            state.pending_read_back = PendingReadBack(name, arguments, result.message)
            self._read_back_turn = turn.number
            return
        pending = state.pending_read_back
        if pending is not None and pending.tool_name == name and result.ok:
            state.pending_read_back = None

    def _count_invalid_arguments(self, turn: TurnRecord, result: ToolResult) -> None:
        escalation = self.state.escalation
        if _malformed(result):
            escalation.invalid_tool_arguments += 1
            if escalation.invalid_tool_arguments >= INVALID_ARGUMENTS_LIMIT:
                turn.escalate_reason = "invalid_tool_arguments"
        elif result.ok:
            escalation.invalid_tool_arguments = 0


def transfer_event(arguments: dict[str, Any], result: ToolResult) -> Transfer:
    """Build the :class:`agent.events.Transfer` a successful ``transfer_to_human`` means.

    The event carries a number for ``action=transfer``; for ``action=message_taken`` it has
    none, which tells telephony that a message was taken and the call may end.
    """
    data = result.data
    number = data.get("number") if data.get("action") == "transfer" else None
    return Transfer(
        reason=str(data.get("reason") or arguments.get("reason") or "caller_request"),
        urgency=str(data.get("urgency") or arguments.get("urgency") or "normal"),
        number=str(number) if number else None,
    )


def _malformed(result: ToolResult) -> bool:
    """Return whether the arguments broke the tool's schema (not a value the caller gave)."""
    if result.error == "unknown_tool":
        return True
    if result.error != "invalid_argument":
        return False
    return "fields" in result.data or "tool arguments" in result.message.lower()
