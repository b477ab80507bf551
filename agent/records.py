"""Write the agent's side of the call record: transcript turns, outcome and staff summary.

Writes go through :mod:`clinic.calls` in a worker thread, so a slow database never holds up
the audio. A call without a ``call`` row (``ctx.call_id`` is None) records nothing.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError

from agent.brain import Brain, ConversationState, ToolExchange
from agent.turn import TranscriptEntry
from clinic.calls import CallRecordError, add_turn, finish_call, set_call_brain
from clinic.models import CallOutcome
from tools.base import CallContext

logger = logging.getLogger(__name__)

COMMITTING_TOOLS = frozenset(
    {
        "book_appointment",
        "reschedule_appointment",
        "cancel_appointment",
        "request_refill",
        "register_new_patient",
    }
)
ANSWERING_TOOLS = frozenset(
    {"list_upcoming_appointments", "insurance_lookup", "clinic_information", "find_open_slots"}
)


def _committed(exchange: ToolExchange) -> bool:
    return (
        exchange.ran
        and exchange.result.ok
        and exchange.name in COMMITTING_TOOLS
        and bool(exchange.arguments.get("confirmed"))
        and not exchange.result.needs_confirmation
    )


def call_outcome(state: ConversationState) -> CallOutcome:
    """Work out how the call ended from what happened in it."""
    if state.escalation.emergency:
        return CallOutcome.EMERGENCY
    transfers = [e for e in state.tool_log if e.name == "transfer_to_human" and e.result.ok]
    if transfers:
        data = transfers[-1].result.data
        if data.get("action") == "transfer":
            return CallOutcome.TRANSFERRED
        return CallOutcome.MESSAGE_TAKEN
    if any(_committed(e) for e in state.tool_log):
        return CallOutcome.RESOLVED
    if any(e.ran and e.result.ok and e.name in ANSWERING_TOOLS for e in state.tool_log):
        return CallOutcome.RESOLVED
    return CallOutcome.ABANDONED


def call_summary(state: ConversationState) -> str:
    """Write a short summary of the call for staff, from tool results (never from the LLM)."""
    lines: list[str] = []
    if state.escalation.emergency:
        lines.append(f"Emergency instructions given ({state.escalation.reason}).")
    if state.verified_patient is not None:
        patient = state.verified_patient
        lines.append(f"Verified {patient.first_name} {patient.last_name}.")
    elif any(e.name == "verify_patient" and e.ran for e in state.tool_log):
        lines.append("Identity could not be verified.")
    for exchange in state.tool_log:
        if _committed(exchange):
            lines.append(exchange.result.message)
    for exchange in state.tool_log:
        if exchange.name == "transfer_to_human" and exchange.ran:
            lines.append(f"Handed over: {exchange.arguments.get('reason', 'caller request')}.")
    if state.language != "en":
        lines.append(f"Caller spoke {'Spanish' if state.language == 'es' else state.language}.")
    if not lines:
        lines.append("No action taken.")
    return " ".join(lines)


class CallRecorder:
    """Record one call's transcript and outcome on its ``call`` row.

    Args:
        ctx: The call's tool context; nothing is written when ``ctx.call_id`` is None.
        call_sid: Twilio's CallSid (or the chat or eval call's id), for the log line that
            sums up the call.
    """

    def __init__(self, ctx: CallContext, *, call_sid: str | None = None) -> None:
        self.ctx = ctx
        self.call_sid = call_sid
        self.turn_ids: list[int] = []
        self.caller_turn_id: int | None = None

    def log_ids(self) -> dict[str, object]:
        """Return the ids that identify this call in log records, as ``extra`` fields."""
        return {"call_sid": self.call_sid, "call_id": self.ctx.call_id}

    async def add_turn(self, entry: TranscriptEntry) -> None:
        """Append ``entry`` to the call's transcript.

        A failed write is logged and the call goes on: the caller must still get an answer.
        """
        if self.ctx.call_id is None:
            return
        try:
            turn_id = await asyncio.to_thread(
                add_turn,
                self.ctx.session_factory,
                call_id=self.ctx.call_id,
                speaker=entry.speaker,
                text=entry.text,
                at=entry.at,
                stt_confidence=entry.stt_confidence,
                interrupted=entry.interrupted,
            )
        except (CallRecordError, SQLAlchemyError) as error:
            logger.error(
                "Could not write a transcript turn: %s",
                type(error).__name__,
                extra=self.log_ids(),
            )
            return
        self.turn_ids.append(turn_id)
        if entry.speaker == "caller":
            self.caller_turn_id = turn_id

    async def finish(
        self, state: ConversationState, *, brain: Brain, outcome: str | None = None
    ) -> CallOutcome:
        """Store the outcome and summary, and which brain ended the call.

        This logs the call's one INFO line, with ``call_sid`` and ``outcome`` as fields;
        everything else about the call is logged at DEBUG.
        """
        final = call_outcome(state)
        if outcome and final is CallOutcome.ABANDONED:
            # The caller's own outcome ("dropped", "failed") explains a call in which
            # nothing was done; anything the agent did tells staff more.
            final = CallOutcome(outcome)
        if final is CallOutcome.IN_PROGRESS:
            final = CallOutcome.ABANDONED
        escalated = state.escalation.escalated or state.escalation.emergency
        if self.ctx.call_id is None:
            self._log_summary(state, brain, final, escalated)
            return final
        await asyncio.to_thread(
            set_call_brain,
            self.ctx.session_factory,
            call_id=self.ctx.call_id,
            brain=brain.name,
            model=brain.model,
        )
        stored = await asyncio.to_thread(
            finish_call,
            self.ctx.session_factory,
            call_id=self.ctx.call_id,
            outcome=final,
            summary=call_summary(state),
            ended_at=self.ctx.now(),
            escalated=escalated,
        )
        self._log_summary(state, brain, stored, escalated)
        return stored

    def _log_summary(
        self, state: ConversationState, brain: Brain, outcome: CallOutcome, escalated: bool
    ) -> None:
        logger.info(
            "Call finished",
            extra={
                **self.log_ids(),
                "outcome": outcome.value,
                "escalated": escalated,
                "brain": brain.name,
                "turns": state.turn,
                "tool_calls": len(state.tool_log),
                "language": state.language,
            },
        )
