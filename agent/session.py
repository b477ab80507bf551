"""The agent loop: one :class:`AgentSession` per call, driven by telephony, chat or evals.

A caller turn goes through the safety screen first (:mod:`agent.safety`); a turn the
screen answers never reaches the brain. Otherwise the brain streams text and tool calls;
the loop speaks each finished sentence after the reply checker (:mod:`agent.reply_check`)
has made it safe and speech-ready, runs the tools through :func:`tools.registry.call_tool`
with the call's :class:`tools.base.CallContext`, and gives the results back to the brain
until it requests no more tools.

Failures stay inside the call. A :class:`agent.brain.BrainError` hands the rest of the call
to the fallback (offline) brain, which answers the same turn; the caller hears no error.
Invalid tool arguments twice, a tool result asking for escalation and an offline brain that
fails too all end in a hand-over to a person.

Barge-in: the consumer cancels or closes the :meth:`AgentSession.respond` iterator and calls
:meth:`AgentSession.interrupt` with the text the caller heard. A data-changing tool call
that had not started does not run, and only the delivered text stays in the conversation
and the transcript.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from typing import Any

from agent.brain import (
    Brain,
    BrainError,
    BrainMetrics,
    ConversationState,
    EndCall,
    InvalidToolArguments,
    TextDelta,
    ToolCallRequest,
)
from agent.events import AgentEvent, Hangup, Speech, ToolFinished, ToolStarted, TurnInfo
from agent.facts import ClinicFacts
from agent.handling import ToolOutcomeHandler
from agent.language import detect_language
from agent.offline import OfflineBrain
from agent.parsing import AnswerKind, classify_answer
from agent.records import CallRecorder
from agent.reply_check import ReplyChecker
from agent.safety import screen_caller_turn
from agent.screening import ScreenResponder
from agent.sentences import SentenceSplitter, split_sentences
from agent.speech import speakable
from agent.turn import (
    TranscriptEntry,
    TurnRecord,
    append_assistant,
    close_message,
)
from prompts import phrase
from tools.base import CallContext

logger = logging.getLogger(__name__)

MAX_TOOL_ROUNDS = 6
"""Tool rounds one caller turn may take before the loop hands the call over."""

LOW_CONFIDENCE_THRESHOLD = 0.3
"""Default speech-to-text confidence below which a turn is asked again instead of answered.

NOTE: with whisper tiny.en on 8 kHz phone audio, correct short turns were measured at
0.23-0.44 (exp of the mean token log-probability), overlapping garbled speech, so
confidence alone cannot separate them; this value favours answering over re-asking.
"""

SILENT_TURNS_LIMIT = 2
"""Empty caller turns in a row after which the agent says goodbye and hangs up."""

DataChangeGate = Callable[[], Awaitable[bool]]


class AgentSession:
    """The receptionist for one call.

    Args:
        ctx: The call's tool context (clinic, call row, clock, caller ID).
        facts: The clinic's public facts.
        brain: The brain that answers first (the LLM brain when one is configured).
        fallback: Takes over after a :class:`agent.brain.BrainError`; by default the offline
            brain, or none when ``brain`` is the offline brain itself.
        recorder: Writes transcript turns and the outcome; by default to ``ctx.call_id``.
        before_data_change: Awaited before a data-changing tool call of a reply that has
            already spoken; it returns False when the caller barged in on that speech, and
            the call is then skipped. Telephony wires it to the end of playback.
        low_confidence_threshold: Speech-to-text confidence under which a turn is asked
            again; a second low turn in a row hands the call over.
    """

    def __init__(
        self,
        ctx: CallContext,
        facts: ClinicFacts,
        brain: Brain,
        *,
        fallback: Brain | None = None,
        recorder: CallRecorder | None = None,
        before_data_change: DataChangeGate | None = None,
        low_confidence_threshold: float = LOW_CONFIDENCE_THRESHOLD,
    ) -> None:
        if fallback is None and brain.name != OfflineBrain.name:
            fallback = OfflineBrain()
        self.ctx = ctx
        self.facts = facts
        self.brain: Brain = brain
        self.fallback = fallback
        self.state = ConversationState(facts=facts, now=ctx.now, caller_number=ctx.caller_number)
        self._transcript: list[TranscriptEntry] = []
        self.recorder = recorder or CallRecorder(ctx)
        self.low_confidence_threshold = low_confidence_threshold
        self._before_data_change = before_data_change
        self._checker = ReplyChecker(facts)
        self._tools = ToolOutcomeHandler(ctx, self.state)
        self._screen = ScreenResponder(ctx, self.state, self._tools)
        self._turn: TurnRecord | None = None
        self._finished = False
        self._silences = 0

    @classmethod
    def create(
        cls, ctx: CallContext, facts: ClinicFacts, brain: Brain, **options: Any
    ) -> AgentSession:
        """Build a session; the same as calling the constructor."""
        return cls(ctx, facts, brain, **options)

    @property
    def transcript(self) -> list[TranscriptEntry]:
        """The call's transcript so far, including a reply not yet written to the database.

        Agent replies are written when the next caller turn arrives or the call finishes,
        because a barge-in may still cut them short until then.
        """
        entries = list(self._transcript)
        turn = self._turn
        if turn is not None and not turn.recorded and turn.text:
            entries.append(self._agent_entry(turn))
        return entries

    @property
    def caller_turn_id(self) -> int | None:
        """The ``transcript_turn`` id of the latest caller turn, for latency updates."""
        return self.recorder.caller_turn_id

    @property
    def brain_name(self) -> str:
        """The name of the brain now answering."""
        return self.brain.name

    # --- public API -------------------------------------------------------------------

    async def greet(self) -> AsyncIterator[AgentEvent]:
        """Yield the opening line with the clinic's name, sentence by sentence."""
        turn = self._begin_reply(0)
        text = phrase("greeting", "en", clinic=self.facts.name)
        try:
            for speech in self._speak_text(turn, text, check=False):
                yield speech
            self._close_message(turn)
            turn.completed = True
        finally:
            self._end_reply(turn)
        yield TurnInfo(brain="greeting", metrics={})

    async def respond(
        self,
        caller_text: str,
        *,
        stt_confidence: float | None = None,
        dtmf: str | None = None,
    ) -> AsyncIterator[AgentEvent]:
        """Answer one caller turn.

        Yields :class:`agent.events.Speech` per sentence as soon as it is complete,
        ``ToolStarted``/``ToolFinished`` around tool calls, ``Transfer`` or ``Hangup`` when
        the call must end here, and finally one ``TurnInfo``.

        Args:
            caller_text: The caller's words as transcribed.
            stt_confidence: The transcript's confidence from 0 to 1, when known.
            dtmf: Keys the caller pressed; "0" asks for a person, other digits are read as
                spoken digits.
        """
        await self._record_pending_reply()
        text = _caller_words(caller_text, dtmf)
        self.state.turn += 1
        turn = self._begin_reply(self.state.turn)
        await self._record_caller(text, stt_confidence)
        self._prepare_confirmation(text)
        try:
            async for event in self._answer(turn, text, stt_confidence):
                yield event
                if turn.interrupted:
                    return
            turn.completed = True
        finally:
            self._end_reply(turn)
        yield TurnInfo(brain=turn.brain or self.brain.name, metrics=dict(turn.metrics))

    def interrupt(self, delivered_text: str) -> None:
        """Record a barge-in: the caller heard only ``delivered_text`` of the last reply.

        Call it after cancelling or closing the :meth:`respond` iterator (or while it runs;
        it then stops at its next step). Tool calls of that reply that change data and have
        not started will not run.
        """
        turn = self._turn
        if turn is None or turn.recorded:
            return
        turn.interrupted = True
        turn.delivered = " ".join(delivered_text.split())
        self._cut_messages(turn)

    async def finish(self, *, outcome: str | None = None) -> None:
        """Finalise the call record: the last reply, the outcome and a summary for staff.

        Args:
            outcome: A :class:`clinic.models.CallOutcome` value that overrides the one
                worked out from the call ("dropped" when the line broke, for instance).
        """
        if self._finished:
            return
        self._finished = True
        await self._record_pending_reply()
        await self.recorder.finish(self.state, brain=self.brain, outcome=outcome)

    # --- one caller turn ----------------------------------------------------------------

    async def _answer(
        self, turn: TurnRecord, text: str, stt_confidence: float | None
    ) -> AsyncIterator[AgentEvent]:
        if not text:
            async for event in self._on_silence(turn):
                yield event
            return
        self._silences = 0
        self.state.language = detect_language(
            text, self.state.language, first_turn=self.state.turn == 1
        )
        screened = screen_caller_turn(text)
        if screened is not None:
            async for event in self._screen.respond(turn, screened, text, self._speak_text):
                yield event
            if turn.transfer is not None:
                yield turn.transfer
            return
        if self._confidence_is_low(stt_confidence):
            async for event in self._ask_again(turn):
                yield event
            return
        self.state.messages.append({"role": "user", "content": text})
        async for event in self._run_brain(turn, text):
            yield event
        async for event in self._after_brain(turn):
            yield event

    async def _run_brain(self, turn: TurnRecord, text: str) -> AsyncIterator[AgentEvent]:
        state = self.state
        state.tool_round = 0
        state.round_results = []
        while True:
            requests: list[ToolCallRequest] = []
            turn.brain = self.brain.name
            start = len(turn.spoken)
            try:
                async with aclosing(self._stream_round(turn, text, requests)) as speeches:
                    async for speech in speeches:
                        yield speech
            except InvalidToolArguments as error:
                logger.warning(
                    "Brain %s wrote invalid tool arguments twice; handing the call over",
                    self.brain.name,
                    extra=self.recorder.log_ids(),
                )
                turn.metrics.update(error.metrics)
                self._append_assistant(turn, start, [])
                turn.escalate_reason = "invalid_tool_arguments"
                return
            except BrainError as error:
                turn.metrics.update(error.metrics)
                self._append_assistant(turn, start, [])
                if not self._fall_back(error):
                    turn.escalate_reason = "brain_failed"
                    return
                continue
            if turn.interrupted:
                return
            self._append_assistant(turn, start, requests)
            if not requests:
                return
            async for event in self._run_tools(turn, requests):
                yield event
            if turn.interrupted or turn.escalate_reason:
                return
            state.tool_round += 1
            if state.tool_round >= MAX_TOOL_ROUNDS:
                turn.escalate_reason = "too_many_tool_rounds"
                return

    async def _stream_round(
        self, turn: TurnRecord, text: str, requests: list[ToolCallRequest]
    ) -> AsyncGenerator[Speech, None]:
        """Speak one brain reply sentence by sentence and collect its tool calls.

        The brain's stream is closed as soon as this stops, so an LLM request abandoned by
        a barge-in does not keep its connection open.
        """
        splitter = SentenceSplitter()
        steps = self.brain.reply(self.state, text)
        try:
            async for step in steps:
                if isinstance(step, TextDelta):
                    for sentence in splitter.feed(step.text):
                        for speech in self._speak_sentence(turn, sentence):
                            yield speech
                elif isinstance(step, ToolCallRequest):
                    requests.append(step)
                elif isinstance(step, BrainMetrics):
                    turn.metrics.update(step.values)
                elif isinstance(step, EndCall):
                    turn.hangup_reason = step.reason
                if turn.interrupted:
                    return
            for sentence in splitter.flush():
                for speech in self._speak_sentence(turn, sentence):
                    yield speech
        finally:
            close = getattr(steps, "aclose", None)
            if close is not None:
                await close()

    def _fall_back(self, error: BrainError) -> bool:
        if self.fallback is None or self.brain is self.fallback:
            logger.error(
                "Fallback brain failed with %s; handing the call over",
                type(error).__name__,
                extra=self.recorder.log_ids(),
            )
            return False
        logger.warning(
            "Brain %s failed with %s; the fallback brain takes over the call",
            self.brain.name,
            type(error).__name__,
            extra=self.recorder.log_ids(),
        )
        self.brain = self.fallback
        return True

    async def _run_tools(
        self, turn: TurnRecord, requests: list[ToolCallRequest]
    ) -> AsyncIterator[AgentEvent]:
        self.state.round_results = []
        for request in requests:
            if self._tools.changes_data(request.name) and not await self._may_change_data(turn):
                self._tools.skip(turn, request, reason="interrupted")
                continue
            arguments = request.arguments()
            yield ToolStarted(name=request.name, arguments=arguments)
            if turn.interrupted and self._tools.changes_data(request.name):
                self._tools.skip(turn, request, reason="interrupted")
                continue
            result = await self._tools.run(turn, request)
            yield ToolFinished(
                name=request.name, arguments=arguments, result=result.model_dump(mode="json")
            )

    async def _may_change_data(self, turn: TurnRecord) -> bool:
        if turn.interrupted:
            return False
        if self._before_data_change is None or not turn.spoken:
            return True
        return await self._before_data_change()

    async def _after_brain(self, turn: TurnRecord) -> AsyncIterator[AgentEvent]:
        handover = turn.escalate_reason or (
            "tool_requested_escalation"
            if turn.escalation_requested and turn.transfer is None and not turn.handover_attempted
            else None
        )
        if handover is not None and turn.transfer is None:
            async for event in self._screen.hand_over(turn, handover, self._speak_text):
                yield event
        if turn.transfer is not None:
            yield turn.transfer
        if turn.hangup_reason is not None and turn.transfer is None:
            if not turn.spoken:
                # A brain that ends the call without a word must not leave the caller
                # wondering whether the line dropped.
                goodbye = phrase("goodbye", self.state.language, clinic=self.facts.name)
                for speech in self._speak_text(turn, goodbye):
                    yield speech
                self._close_message(turn)
            yield Hangup(reason=turn.hangup_reason)

    def _confidence_is_low(self, stt_confidence: float | None) -> bool:
        escalation = self.state.escalation
        if stt_confidence is None or stt_confidence >= self.low_confidence_threshold:
            escalation.low_confidence_turns = 0
            return False
        escalation.low_confidence_turns += 1
        return True

    async def _ask_again(self, turn: TurnRecord) -> AsyncIterator[AgentEvent]:
        if self.state.escalation.low_confidence_turns < 2:
            self.state.messages.append({"role": "user", "content": "(inaudible)"})
            for speech in self._speak_text(turn, phrase("repeat_please", self.state.language)):
                yield speech
            self._close_message(turn)
            return
        async for event in self._screen.hand_over(turn, "low_stt_confidence", self._speak_text):
            yield event
        if turn.transfer is not None:
            yield turn.transfer

    async def _on_silence(self, turn: TurnRecord) -> AsyncIterator[AgentEvent]:
        self._silences += 1
        language = self.state.language
        if self._silences < SILENT_TURNS_LIMIT:
            for speech in self._speak_text(turn, phrase("still_there", language)):
                yield speech
            self._close_message(turn)
            return
        for speech in self._speak_text(turn, phrase("silence_goodbye", language)):
            yield speech
        self._close_message(turn)
        turn.hangup_reason = "silence"
        yield Hangup(reason="silence")

    def _prepare_confirmation(self, text: str) -> None:
        """Set ``caller_confirmed`` for a turn that says yes to the pending read-back."""
        pending = self.state.pending_read_back
        self.ctx.caller_confirmed = (
            pending is not None and classify_answer(text).kind is AnswerKind.AFFIRM
        )

    # --- speech -----------------------------------------------------------------------

    def _speak_sentence(self, turn: TurnRecord, sentence: str) -> list[Speech]:
        spoken = self._checker.check(sentence, self.state)
        if not spoken or (turn.spoken and turn.spoken[-1] == spoken):
            return []
        turn.spoken.append(spoken)
        return [Speech(text=spoken)]

    def _speak_text(self, turn: TurnRecord, text: str, *, check: bool = True) -> list[Speech]:
        """Speak a rule-made text (safety answers, hand-overs) sentence by sentence."""
        events: list[Speech] = []
        for sentence in split_sentences(text):
            if check:
                events += self._speak_sentence(turn, sentence)
                continue
            spoken = speakable(sentence, language=self.state.language)
            turn.spoken.append(spoken)
            events.append(Speech(text=spoken))
        return events

    # --- messages and records -----------------------------------------------------------

    def _begin_reply(self, number: int) -> TurnRecord:
        self.ctx.caller_confirmed = False
        turn = TurnRecord(number=number, started_at=self.ctx.now())
        self._turn = turn
        return turn

    def _append_assistant(
        self, turn: TurnRecord, start: int, requests: list[ToolCallRequest]
    ) -> None:
        append_assistant(self.state.messages, turn, " ".join(turn.spoken[start:]), requests)

    def _close_message(self, turn: TurnRecord) -> None:
        close_message(self.state.messages, turn)

    def _end_reply(self, turn: TurnRecord) -> None:
        """Leave the conversation consistent however the reply ended."""
        if not turn.completed:
            self._close_message(turn)
            self._tools.answer_unanswered(turn)
        if turn.interrupted:
            self._cut_messages(turn)
        self.ctx.caller_confirmed = False
        read_back = self.state.pending_read_back
        if read_back is not None and turn.completed and not self._tools.proposed_in(turn):
            # A read-back is answered by the very next turn; after that, propose again. A
            # reply cut short by a barge-in leaves it standing: the barge-in answers it.
            self.state.pending_read_back = None

    def _cut_messages(self, turn: TurnRecord) -> None:
        delivered = turn.delivered if turn.delivered is not None else turn.text
        for index, message in enumerate(turn.assistant_messages):
            message["content"] = (delivered or None) if index == 0 else None
        self._tools.answer_unanswered(turn)

    async def _record_caller(self, text: str, stt_confidence: float | None) -> None:
        if not text:
            return
        entry = TranscriptEntry(
            speaker="caller", text=text, at=self.ctx.now(), stt_confidence=stt_confidence
        )
        self._transcript.append(entry)
        await self.recorder.add_turn(entry)

    async def _record_pending_reply(self) -> None:
        turn = self._turn
        if turn is None or turn.recorded:
            return
        turn.recorded = True
        if not turn.text:
            return
        entry = self._agent_entry(turn)
        self._transcript.append(entry)
        await self.recorder.add_turn(entry)

    @staticmethod
    def _agent_entry(turn: TurnRecord) -> TranscriptEntry:
        return TranscriptEntry(
            speaker="agent", text=turn.text, at=turn.started_at, interrupted=turn.interrupted
        )


def _caller_words(caller_text: str, dtmf: str | None) -> str:
    text = " ".join(caller_text.split())
    if not dtmf:
        return text
    if dtmf.strip() == "0" and not text:
        return "operator"
    keys = " ".join(dtmf.strip())
    return f"{text} {keys}".strip()


async def drain(events: AsyncIterator[AgentEvent]) -> list[AgentEvent]:
    """Collect every event of a reply; a convenience for tests and scripts."""
    return [event async for event in events]


__all__ = ["AgentSession", "DataChangeGate", "drain"]
