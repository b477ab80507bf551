"""What the session says and does itself: safety answers and hand-overs to a person.

These paths never go through a brain. An emergency is answered with the 911 (or 988)
instruction in the first sentence and an urgent staff task; a request for a person, and
every hand-over the loop decides on, runs ``transfer_to_human`` through the same tool path
as a brain's call, so it is recorded like any other tool call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from agent.brain import ConversationState, ToolCallRequest
from agent.events import AgentEvent, Speech, ToolFinished, ToolStarted
from agent.handling import HANDOVER_REASONS, TRANSFER_TOOL, ToolOutcomeHandler
from agent.safety import ScreenKind, ScreenResult
from agent.turn import TurnRecord
from clinic.calls import CallRecordError, create_staff_task
from clinic.models import TaskKind, TaskPriority
from prompts import phrase
from tools.base import CallContext

logger = logging.getLogger(__name__)

SpeakText = Callable[[TurnRecord, str], list[Speech]]

# Text the conversation keeps in place of a refused turn's words, so a later LLM request
# does not carry the override attempt.
REFUSED_PLACEHOLDER = "(The caller's request was refused by the safety rules: {kind}.)"

HANDOVER_PHRASES = {
    "caller_request": "handover.connecting",
    "not_understood": "handover.not_understood",
    "identity_not_verified": "handover.not_verified",
    "tool_requested_escalation": "handover.connecting",
    "low_stt_confidence": "handover.not_understood",
    "invalid_tool_arguments": "handover.system_problem",
    "brain_failed": "handover.system_problem",
    "too_many_tool_rounds": "handover.system_problem",
}

EMERGENCY_TITLES = {
    ScreenKind.EMERGENCY: "Possible emergency described on a call (told to call 911)",
    ScreenKind.CRISIS: "Caller may be in a mental-health crisis (given 988)",
}


class ScreenResponder:
    """Answer screened caller turns and hand calls over, for one session.

    Args:
        ctx: The call's tool context.
        state: The conversation state.
        tools: Runs ``transfer_to_human`` and records its result.
    """

    def __init__(self, ctx: CallContext, state: ConversationState, tools: ToolOutcomeHandler):
        self.ctx = ctx
        self.state = state
        self.tools = tools
        self._background: set[asyncio.Future[Any]] = set()

    async def respond(
        self, turn: TurnRecord, screened: ScreenResult, text: str, speak: SpeakText
    ) -> AsyncIterator[AgentEvent]:
        """Answer a caller turn the safety screen matched."""
        kind = screened.kind
        turn.brain = "safety"
        language = self.state.language
        if kind in (ScreenKind.INJECTION, ScreenKind.OTHER_PATIENT):
            content = REFUSED_PLACEHOLDER.format(kind=kind.value.replace("_", " "))
        else:
            content = text
        self.state.messages.append({"role": "user", "content": content})

        if kind in (ScreenKind.EMERGENCY, ScreenKind.CRISIS):
            # The task is written while the instruction is spoken, and finishes even if
            # the caller hangs up at once.
            task = self._start_urgent_task(kind, screened.rule, text)
            for speech in speak(turn, phrase(f"safety.{kind.value}", language)):
                yield speech
            self._append_reply(turn)
            # The caller already has the 911 instruction; a failed task is logged when it ends.
            with contextlib.suppress(CallRecordError, SQLAlchemyError):
                await task
            return
        if kind is ScreenKind.HUMAN:
            async for event in self.hand_over(turn, "caller_request", speak):
                yield event
            return
        if kind is ScreenKind.CLINICAL:
            key = "safety.results" if screened.rule == "results" else "safety.clinical"
            nurse_line = self.state.facts.nurse_line
            for speech in speak(turn, phrase(key, language, nurse_line=nurse_line)):
                yield speech
            self.state.offer = "nurse_message"
            self._append_reply(turn)
            return
        for speech in speak(turn, phrase(f"safety.{kind.value}", language)):
            yield speech
        self._append_reply(turn)

    async def hand_over(
        self, turn: TurnRecord, reason: str, speak: SpeakText, *, urgency: str = "normal"
    ) -> AsyncIterator[AgentEvent]:
        """Tell the caller they are being handed over and run ``transfer_to_human``."""
        language = self.state.language
        already = len(turn.spoken)
        if reason != "caller_request" or not turn.spoken:
            key = HANDOVER_PHRASES.get(reason, "handover.connecting")
            for speech in speak(turn, phrase(key, language)):
                yield speech
        arguments = {"reason": HANDOVER_REASONS.get(reason, reason), "urgency": urgency}
        request = ToolCallRequest(
            call_id=self.tools.next_call_id("handover"),
            name=TRANSFER_TOOL,
            arguments_json=json.dumps(arguments),
        )

        said = " ".join(turn.spoken[already:])
        message: dict[str, Any] = {
            "role": "assistant",
            "content": said or None,
            "tool_calls": [
                {
                    "id": request.call_id,
                    "type": "function",
                    "function": {"name": request.name, "arguments": request.arguments_json},
                }
            ],
        }
        self.state.messages.append(message)
        turn.assistant_messages.append(message)

        yield ToolStarted(name=request.name, arguments=arguments)
        result = await self.tools.run(turn, request)
        yield ToolFinished(name=request.name, arguments=arguments, result=result.model_dump())
        before = len(turn.spoken)
        if result.ok:
            for speech in speak(turn, result.message):
                yield speech
        else:
            logger.error(
                "transfer_to_human failed during a hand-over: %s",
                result.error,
                extra={"call_id": self.ctx.call_id},
            )
            for speech in speak(turn, phrase("handover.system_problem", language)):
                yield speech
        if len(turn.spoken) > before:
            self._append_text(turn, " ".join(turn.spoken[before:]))

    def _start_urgent_task(self, kind: ScreenKind, rule: str, text: str) -> asyncio.Future[Any]:
        self.state.escalation.emergency = True
        self.state.escalation.urgency = "urgent"
        self.state.escalation.reason = f"{kind.value}:{rule}"
        details = (
            f'The caller said: "{text}". Matched the {rule.replace("_", " ")} rule; the '
            "caller was told to hang up and call "
            + ("988 or 911." if kind is ScreenKind.CRISIS else "911.")
        )
        future = asyncio.ensure_future(
            asyncio.to_thread(
                create_staff_task,
                self.ctx.session_factory,
                kind=TaskKind.URGENT,
                priority=TaskPriority.URGENT,
                title=EMERGENCY_TITLES[kind],
                now=self.ctx.now(),
                details=details,
                reason=kind.value,
                callback_number=self.ctx.caller_number,
                patient_id=self.ctx.verified_patient_id,
                call_id=self.ctx.call_id,
            )
        )
        self._background.add(future)
        future.add_done_callback(self._urgent_task_done)
        return future

    def _urgent_task_done(self, future: asyncio.Future[Any]) -> None:
        self._background.discard(future)
        # Retrieve the outcome even when the reply was closed before awaiting it.
        if not future.cancelled() and future.exception() is not None:
            logger.error(
                "Urgent staff task failed: %s",
                type(future.exception()).__name__,
                extra={"call_id": self.ctx.call_id},
            )

    def _append_reply(self, turn: TurnRecord) -> None:
        self._append_text(turn, " ".join(turn.spoken))

    def _append_text(self, turn: TurnRecord, text: str) -> None:
        if not text:
            return
        message: dict[str, Any] = {"role": "assistant", "content": text}
        self.state.messages.append(message)
        turn.assistant_messages.append(message)
