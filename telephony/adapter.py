"""The pipecat processor that drives the agent from a phone call.

The agent handles text only: it takes the caller's words and yields
:mod:`agent.events`. :class:`AgentAdapter` sits between speech-to-text and text-to-speech and
does the phone side of the conversation:

* end of turn: VAD segments and their transcripts become one caller turn (see
  :mod:`telephony.turns`), or DTMF digits do;
* the reply: each ``Speech`` goes to TTS as it arrives, followed by a Twilio mark;
* barge-in: when the caller starts talking over the reply, the reply is cancelled, queued
  audio is dropped and Twilio's buffer cleared (``InterruptionFrame`` becomes ``clear``), and
  the agent keeps only what the marks prove was played;
* after the reply has played: a transfer or hang-up is carried out, or the silence timer
  starts (one check-in, then a polite goodbye).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Protocol

from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    Frame,
    InputAudioRawFrame,
    InputDTMFFrame,
    InterruptionFrame,
    StartFrame,
    TranscriptionFrame,
    TTSSpeakFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from agent.events import AgentEvent, Hangup, Speech, Transfer, TurnInfo
from telephony import phrases
from telephony.chunks import speech_chunks
from telephony.playback import Playback
from telephony.serializer import CallerHangupFrame, PlaybackMarkFrame, mark_message
from telephony.services import CallerTurnTakenFrame, ReplyStartFrame
from telephony.speech import Transcript
from telephony.turns import CallerTurn, TurnDetector, TurnTiming
from telephony.vad import PossibleSpeechFrame

logger = logging.getLogger(__name__)

_TRANSCRIPTION_TIMEOUT_SECS = 5.0
_PROMPT_AGENT_CHARS = 200


class PhoneAgent(Protocol):
    """The part of :class:`agent.session.AgentSession` that the adapter uses."""

    def greet(self) -> AsyncIterator[AgentEvent]: ...

    def respond(
        self, caller_text: str, *, stt_confidence: float | None = None, dtmf: str | None = None
    ) -> AsyncIterator[AgentEvent]: ...

    def interrupt(self, delivered_text: str) -> None: ...


class CallHooks(Protocol):
    """Call control and recording, provided by :class:`telephony.call.PhoneCall`."""

    async def carry_out(self, action: Transfer | Hangup) -> None:
        """Transfer or hang up after the reply that asked for it has played."""
        ...

    async def end_call(self, *, outcome: str | None, reason: str) -> None:
        """End the call now (the caller hung up, went silent, or the agent failed)."""
        ...

    def agent_event(self, event: AgentEvent) -> None:
        """Observe an agent event (tool calls for the live monitor)."""
        ...

    def turn_finished(self, turn: CallerTurn, *, interrupted: bool) -> None:
        """Store a finished turn's STT confidence and latency."""
        ...

    def telephony_speech(self, text: str) -> None:
        """Record a line the phone layer spoke itself (silence check-in, apology)."""
        ...


class AgentAdapter(FrameProcessor):
    """Turns VAD, transcripts, DTMF and Twilio marks into agent turns, and replies into TTS.

    Args:
        agent: The call's agent session.
        hooks: Call control and recording.
        stream_sid: Twilio's stream id, for outbound marks.
        timing: Turn-taking timing.
    """

    def __init__(
        self,
        *,
        agent: PhoneAgent,
        hooks: CallHooks,
        stream_sid: str,
        timing: TurnTiming,
        vocabulary: str = "",
    ) -> None:
        super().__init__(name="AgentAdapter")
        self._vocabulary = vocabulary
        self._last_heard = ""
        self._agent = agent
        self._hooks = hooks
        self._stream_sid = stream_sid
        self._timing = timing
        self._detector = TurnDetector(timing)
        self._turn: CallerTurn | None = None
        self._playback: Playback | None = None
        self._reply_id = 0
        self._reply_task: asyncio.Task[None] | None = None
        self._commit_timer: asyncio.Task[None] | None = None
        self._silence_task: asyncio.Task[None] | None = None
        self._dtmf_task: asyncio.Task[None] | None = None
        self._stt_watchdog: asyncio.Task[None] | None = None
        self._action_task: asyncio.Task[None] | None = None
        self._dtmf_digits = ""
        self._silence_prompts = 0
        self._ending = False

    def stt_prompt(self) -> str:
        """Return what Whisper should continue from: the clinic's names, the agent's last words."""
        agent = self._last_heard[-_PROMPT_AGENT_CHARS:]
        return " ".join(part for part in (self._vocabulary, agent) if part)

    def note_agent_audio(self) -> None:
        """Record that agent audio was just sent to Twilio (the first byte ends a turn's wait)."""
        turn, playback = self._turn, self._playback
        if turn is None or playback is None or not playback.chunks:
            return
        if turn.latency.first_audio is None:
            turn.latency.first_audio = time.monotonic()

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Route the frames the adapter acts on; pass the others along."""
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            await self.push_frame(frame, direction)
            self._start_reply(self._agent.greet(), turn=None)
        elif isinstance(frame, (EndFrame, CancelFrame)):
            self._ending = True
            # The call ends mid-reply (the line dropped): keep only what the caller heard.
            await self._barge_in(clear=False)
            await self._stop_tasks()
            await self.push_frame(frame, direction)
        elif isinstance(frame, InputAudioRawFrame):
            return  # caller audio has been transcribed; nothing downstream needs it
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            await self._on_caller_started()
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            self._detector.speech_stopped(time.monotonic())
            await self._restart(self._stt_watchdog)
            self._stt_watchdog = self.create_task(self._watch_transcription(), name="stt-watch")
        elif isinstance(frame, PossibleSpeechFrame):
            self._detector.possible_speech(frame.active)
            await self._on_turn_progress()
        elif isinstance(frame, TranscriptionFrame):
            await self._on_transcript(frame)
        elif isinstance(frame, InputDTMFFrame):
            await self._on_dtmf(frame)
        elif isinstance(frame, PlaybackMarkFrame):
            await self._on_mark(frame.mark_name)
        elif isinstance(frame, CallerHangupFrame):
            await self._end(outcome=None, reason="caller_hangup")
        else:
            await self.push_frame(frame, direction)

    # --- caller side ------------------------------------------------------------------

    async def _on_caller_started(self) -> None:
        self._detector.speech_started()
        await self._restart(self._silence_task)
        self._silence_task = None
        # The caller went on after a pause: the pending turn waits for this segment too.
        await self._restart(self._commit_timer)
        self._commit_timer = None
        if self._barge_in_allowed():
            await self._barge_in()

    async def _on_transcript(self, frame: TranscriptionFrame) -> None:
        transcript = frame.result if isinstance(frame.result, Transcript) else None
        if transcript is None:
            transcript = Transcript(text=frame.text.strip(), confidence=1.0)
        if self._detector.transcribed(transcript, time.monotonic()):
            self._silence_prompts = 0
        elif self._detector.pending is None and not self._detector.segments_in_flight:
            # Only noise so far: the next speech starts a fresh turn.
            await self.push_frame(CallerTurnTakenFrame(), FrameDirection.UPSTREAM)
        await self._on_turn_progress()

    async def _watch_transcription(self) -> None:
        # A segment whose transcription failed yields no transcript; do not wait forever.
        await asyncio.sleep(_TRANSCRIPTION_TIMEOUT_SECS)
        self._stt_watchdog = None
        if self._detector.segments_in_flight:
            logger.warning("A caller segment was not transcribed in time")
            self._detector.transcription_lost()
            await self._on_turn_progress()

    async def _on_turn_progress(self) -> None:
        if self._ending:
            return
        delay = self._detector.decide(time.monotonic())
        if delay is None:
            await self._restart(self._commit_timer)
            self._commit_timer = None
            if self._detector.pending is None and self._idle():
                self._arm_silence_timer()
        elif delay <= 0:
            await self._commit_turn()
        elif self._commit_timer is None:
            self._commit_timer = self.create_task(self._commit_later(delay), name="end-of-turn")

    async def _commit_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        self._commit_timer = None
        await self._on_turn_progress()

    async def _on_dtmf(self, frame: InputDTMFFrame) -> None:
        if self._ending:
            return
        if self._barge_in_allowed():
            await self._barge_in()
        await self._restart(self._silence_task)
        self._silence_task = None
        await self._restart(self._dtmf_task)
        self._dtmf_task = None
        self._silence_prompts = 0
        digit = str(frame.button.value)
        if digit != "#":
            self._dtmf_digits += digit
            self._dtmf_task = self.create_task(self._dtmf_timeout(), name="dtmf-timeout")
            return
        await self._commit_dtmf()

    async def _dtmf_timeout(self) -> None:
        await asyncio.sleep(self._timing.dtmf_digit_timeout_secs)
        self._dtmf_task = None
        await self._commit_dtmf()

    async def _commit_dtmf(self) -> None:
        digits, self._dtmf_digits = self._dtmf_digits, ""
        if digits:
            self._detector.keyed(digits, time.monotonic())
            await self._commit_turn()

    async def _commit_turn(self) -> None:
        await self._restart(self._commit_timer)
        self._commit_timer = None
        turn = self._detector.take()
        if turn is None or self._ending:
            return
        await self.push_frame(CallerTurnTakenFrame(), FrameDirection.UPSTREAM)
        if self._reply_task is not None or self._playback is not None:
            await self._barge_in()
        events = self._agent.respond(turn.text, stt_confidence=turn.confidence, dtmf=turn.dtmf)
        self._start_reply(events, turn=turn)

    # --- agent side -------------------------------------------------------------------

    def _start_reply(self, events: AsyncIterator[AgentEvent], *, turn: CallerTurn | None) -> None:
        self._reply_id += 1
        playback = Playback(reply_id=self._reply_id)
        self._playback = playback
        self._turn = turn
        self._reply_task = self.create_task(
            self._speak_reply(events, playback, turn), name=f"reply-{self._reply_id}"
        )

    async def _speak_reply(
        self, events: AsyncIterator[AgentEvent], playback: Playback, turn: CallerTurn | None
    ) -> None:
        first = True
        try:
            async for event in events:
                if isinstance(event, Speech):
                    await self._say(event.text, playback, turn, first=first)
                    first = False
                elif isinstance(event, (Transfer, Hangup)):
                    playback.action = event
                elif isinstance(event, TurnInfo) and turn is not None:
                    turn.agent_metrics = {"brain": event.brain, **event.metrics}
                self._hooks.agent_event(event)
        except asyncio.CancelledError:
            raise
        except Exception:
            # A failing agent must not leave the caller in silence: apologise and end the call.
            logger.exception("The agent failed while answering a caller turn")
            playback.action = Hangup(reason="agent_error")
            self._hooks.telephony_speech(phrases.AGENT_FAILED)
            await self._say(phrases.AGENT_FAILED, playback, turn, first=first)
        finally:
            await _close(events)
        playback.generation_done = True
        if self._reply_task is asyncio.current_task():
            self._reply_task = None
        self._check_played(playback)

    async def _say(
        self, text: str, playback: Playback, turn: CallerTurn | None, *, first: bool
    ) -> None:
        chunks = speech_chunks(text, first=first)
        if first and chunks:
            await self.push_frame(ReplyStartFrame())
        for chunk in chunks:
            if turn is not None and turn.latency.first_text is None:
                turn.latency.first_text = time.monotonic()
            name = playback.add_chunk(chunk)
            await self.push_frame(TTSSpeakFrame(chunk, append_to_context=False))
            await self.push_frame(mark_message(self._stream_sid, name))

    async def wait_until_played(self) -> bool:
        """Wait until the reply spoken so far has played to the caller.

        Returns:
            True once every chunk sent has played; False after a barge-in or at the end of
            the call.
        """
        playback = self._playback
        if playback is None:
            return not self._ending
        return await playback.wait_until_played()

    async def announce(self, text: str, *, then: Hangup | Transfer | None = None) -> None:
        """Say a line of the phone layer's own, then carry out ``then`` once it has played."""
        self._reply_id += 1
        playback = Playback(reply_id=self._reply_id)
        self._playback = playback
        self._turn = None
        playback.action = then
        await self._say(text, playback, None, first=True)
        playback.generation_done = True
        self._check_played(playback)

    async def _on_mark(self, name: str) -> None:
        playback = self._playback
        if playback is not None and playback.mark_played(name):
            self._check_played(playback)

    def _check_played(self, playback: Playback) -> None:
        if playback is not self._playback or not playback.all_played:
            return
        playback.close()
        self._playback = None
        self._last_heard = playback.delivered_text or self._last_heard
        turn, self._turn = self._turn, None
        if turn is not None:
            self._hooks.turn_finished(turn, interrupted=False)
        if playback.action is not None:
            self._ending = True
            self._action_task = self.create_task(
                self._hooks.carry_out(playback.action), name="call-action"
            )
        else:
            self._arm_silence_timer()

    def _barge_in_allowed(self) -> bool:
        playback = self._playback
        if playback is None or self._ending:
            return False
        # A goodbye or transfer announcement that was fully generated plays to the end.
        return not (playback.generation_done and playback.action is not None)

    async def _barge_in(self, *, clear: bool = True) -> None:
        """Cut the reply short: the agent keeps only the chunks that played.

        Args:
            clear: Drop queued audio and clear Twilio's buffer; False when the line is
                already gone.
        """
        playback, self._playback = self._playback, None
        task, self._reply_task = self._reply_task, None
        turn, self._turn = self._turn, None
        if task is not None:
            await self._restart(task)
        if playback is None:
            return
        playback.close()
        delivered = playback.delivered_text
        self._last_heard = delivered or self._last_heard
        if clear:
            await self.push_frame(InterruptionFrame())
        if playback.has_audio_pending or not playback.generation_done:
            self._agent.interrupt(delivered)
        if turn is not None:
            self._hooks.turn_finished(turn, interrupted=True)
        logger.debug(
            "Reply cut short: %d of %d chunks had played",
            len(playback.played),
            len(playback.chunks),
        )

    # --- silence and the end of the call ----------------------------------------------

    def _idle(self) -> bool:
        return self._playback is None and self._reply_task is None and not self._ending

    def _arm_silence_timer(self) -> None:
        detector = self._detector
        if self._silence_task is not None or not self._idle():
            return
        if detector.caller_speaking or detector.pending is not None or self._dtmf_digits:
            return
        self._silence_task = self.create_task(self._silence_watch(), name="silence")

    async def _silence_watch(self) -> None:
        await asyncio.sleep(self._timing.silence_timeout_secs)
        self._silence_task = None
        self._silence_prompts += 1
        if self._silence_prompts == 1:
            self._hooks.telephony_speech(phrases.SILENCE_CHECK_IN)
            await self.announce(phrases.SILENCE_CHECK_IN)
            return
        self._hooks.telephony_speech(phrases.SILENCE_GOODBYE)
        await self.announce(phrases.SILENCE_GOODBYE, then=Hangup(reason="silence"))

    async def _end(self, *, outcome: str | None, reason: str) -> None:
        if self._ending and reason != "caller_hangup":
            return
        self._ending = True
        if self._playback is not None:
            await self._barge_in()
        await self._hooks.end_call(outcome=outcome, reason=reason)

    async def _stop_tasks(self) -> None:
        current = asyncio.current_task()
        for task in (
            self._reply_task,
            self._commit_timer,
            self._silence_task,
            self._dtmf_task,
            self._stt_watchdog,
            self._action_task,
        ):
            if task is not None and task is not current:
                await self._restart(task)
        self._reply_task = self._commit_timer = self._silence_task = None
        self._dtmf_task = self._stt_watchdog = self._action_task = None

    async def _restart(self, task: asyncio.Task[None] | None) -> None:
        """Cancel a timer or reply task unless it is the one running this code."""
        if task is not None and not task.done() and task is not asyncio.current_task():
            await self.cancel_task(task)


async def _close(events: AsyncIterator[AgentEvent]) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()
