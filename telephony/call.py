"""One phone call: its pipecat pipeline, its agent, and how it ends.

The pipeline is ``websocket in -> Silero VAD -> faster-whisper -> AgentAdapter -> piper ->
websocket out``. Caller audio arrives as 8 kHz mu-law and runs through the pipeline at 16 kHz,
because Whisper misreads 8 kHz audio. The agent's audio is synthesized at 8 kHz, so nothing is
resampled twice.

Every way a call can end goes through :meth:`PhoneCall.end_call`, and :meth:`PhoneCall.run`
always finalises the record, whether the agent hung up, the call was transferred, the caller
hung up, the websocket dropped or something failed: the agent session writes the outcome,
transcript and summary, and telephony the recording path.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import WebSocket
from pipecat.frames.frames import EndFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.transports.websocket.fastapi import (
    FastAPIWebsocketParams,
    FastAPIWebsocketTransport,
)
from pipecat.workers.runner import WorkerRunner

from agent.events import AgentEvent, Hangup, Speech, ToolFinished, Transfer
from telephony import phrases
from telephony.adapter import AgentAdapter
from telephony.control import CallControlError
from telephony.recording import CallRecording, recording_path
from telephony.runtime import AgentHandle, CallSetup, Telephony
from telephony.serializer import TWILIO_SAMPLE_RATE, TwilioMediaSerializer
from telephony.services import SharedPiperTTSService, SharedWhisperSTTService
from telephony.speech import PIPELINE_SAMPLE_RATE
from telephony.turns import CallerTurn
from telephony.vad import CallerVAD

logger = logging.getLogger(__name__)

_PLAYBACK_WAIT_SECONDS = 60.0
# Hang-ups the phone layer starts itself, and the outcome each leaves; the agent's own
# hang-ups leave the outcome to the agent.
_HANGUP_OUTCOMES = {"silence": "abandoned", "agent_error": "failed", "transfer_failed": "failed"}


@dataclass(frozen=True)
class StreamStart:
    """The ``start`` event of a media stream, after its token was checked.

    Attributes:
        call_sid: Twilio's CallSid.
        stream_sid: Twilio's StreamSid; outbound messages name it.
        from_number: The caller ID vouched for by the stream token.
        to_number: The number dialled, vouched for by the stream token.
    """

    call_sid: str
    stream_sid: str
    from_number: str | None = None
    to_number: str | None = None


@dataclass
class CallStats:
    """Counters for the call's summary log line."""

    turns: int = 0
    barge_ins: int = 0
    voice_to_voice_ms: list[float] = field(default_factory=list)
    tool_calls: list[str] = field(default_factory=list)


class UnavailableAgent:
    """Stands in when the agent cannot start (database down): apologises and hangs up."""

    async def greet(self) -> AsyncIterator[AgentEvent]:
        yield Speech(phrases.AGENT_FAILED)
        yield Hangup(reason="agent_error")

    async def respond(
        self, caller_text: str, *, stt_confidence: float | None = None, dtmf: str | None = None
    ) -> AsyncIterator[AgentEvent]:
        yield Hangup(reason="agent_error")

    def interrupt(self, delivered_text: str) -> None:
        return None

    async def finish(self, *, outcome: str | None = None) -> None:
        return None


class PhoneCall:
    """Runs one media stream from ``start`` to the finalised call record.

    Args:
        websocket: The accepted Twilio media stream.
        start: The stream's ``start`` event.
        telephony: The process-wide phone service.
    """

    def __init__(self, *, websocket: WebSocket, start: StreamStart, telephony: Telephony) -> None:
        self.start = start
        self.stats = CallStats()
        self._websocket = websocket
        self._telephony = telephony
        self._started = time.monotonic()
        self._adapter: AgentAdapter | None = None
        self._worker: PipelineWorker | None = None
        self._handle: AgentHandle | None = None
        self._recording: CallRecording | None = None
        self._outcome: str | None = None
        self._end_reason: str | None = None
        self._end_task: asyncio.Task[None] | None = None
        self._record_tasks: set[asyncio.Task[None]] = set()

    @property
    def call_sid(self) -> str:
        return self.start.call_sid

    @property
    def call_id(self) -> int | None:
        """The ``call`` row of this call, once the agent has started."""
        return self._handle.call_id if self._handle else None

    async def run(self) -> None:
        """Run the call until it ends, then finalise its record."""
        try:
            self._handle = await self._start_agent()
            if self.call_id is not None:
                self._record(
                    self._telephony.records.stream_started(self.call_id, self.start.stream_sid)
                )
            await self._run_pipeline()
        except Exception:
            logger.exception("The call failed", extra={"call_sid": self.call_sid})
            self._outcome = self._outcome or "failed"
            self._end_reason = self._end_reason or "error"
        finally:
            await asyncio.shield(self._finalise())

    async def _start_agent(self) -> AgentHandle:
        setup = CallSetup(
            call_sid=self.call_sid,
            from_number=self.start.from_number,
            to_number=self.start.to_number,
            before_data_change=self._wait_for_playback,
        )
        try:
            return await self._telephony.agent_factory(setup)
        except Exception:
            # The caller still hears an apology rather than a dead line.
            logger.exception("Could not start the agent", extra={"call_sid": self.call_sid})
            self._outcome = "failed"
            return AgentHandle(agent=UnavailableAgent(), call_id=None)

    def _build_pipeline(
        self,
    ) -> tuple[PipelineWorker, FastAPIWebsocketTransport, TwilioMediaSerializer]:
        telephony = self._telephony
        timing = telephony.timing
        serializer = TwilioMediaSerializer(
            stream_sid=self.start.stream_sid, call_sid=self.call_sid, listeners=[self]
        )
        if telephony.settings.record_calls:
            path = recording_path(telephony.settings.recordings_dir, self.call_sid)
            self._recording = CallRecording(path)
            serializer.add_listener(self._recording)
        transport = FastAPIWebsocketTransport(
            websocket=self._websocket,
            params=FastAPIWebsocketParams(
                audio_in_enabled=True,
                audio_out_enabled=True,
                add_wav_header=False,
                serializer=serializer,
                # Twilio sends no Origin header; the stream token is the access check.
                allowed_origins=[],
            ),
        )
        vad = CallerVAD(
            detector=telephony.models.create_speech_detector(),
            start_secs=timing.vad_start_secs,
            stop_secs=timing.vad_stop_secs,
        )
        assert self._handle is not None
        self._adapter = AgentAdapter(
            agent=self._handle.agent,
            hooks=self,
            stream_sid=self.start.stream_sid,
            timing=timing,
            vocabulary=telephony.vocabulary,
        )
        pipeline = Pipeline(
            [
                transport.input(),
                vad,
                SharedWhisperSTTService(
                    models=telephony.models,
                    prompt=self._adapter.stt_prompt,
                    audio_passthrough=False,
                ),
                self._adapter,
                SharedPiperTTSService(models=telephony.models),
                transport.output(),
            ]
        )
        worker = PipelineWorker(
            pipeline,
            params=PipelineParams(
                audio_in_sample_rate=PIPELINE_SAMPLE_RATE,
                audio_out_sample_rate=TWILIO_SAMPLE_RATE,
            ),
            enable_rtvi=False,
            enable_turn_tracking=False,
            idle_timeout_secs=None,
            check_dangling_tasks=False,
        )
        return worker, transport, serializer

    async def _run_pipeline(self) -> None:
        worker, transport, serializer = self._build_pipeline()
        self._worker = worker

        async def on_disconnected(_transport: Any, _websocket: Any) -> None:
            # Twilio sends "stop" before closing when the caller hangs up; a close without
            # it means the connection broke.
            if serializer.stop_received:
                await self.end_call(outcome=None, reason="caller_hangup")
            else:
                await self.end_call(outcome="dropped", reason="websocket_closed")

        transport.add_event_handler("on_client_disconnected", on_disconnected)

        runner = WorkerRunner(handle_sigint=False, check_dangling_tasks=False)
        await runner.add_workers(worker)
        await runner.run()

    # --- CallHooks --------------------------------------------------------------------

    async def carry_out(self, action: Transfer | Hangup) -> None:
        """Transfer or hang up once the agent's last words have played."""
        control = self._telephony.call_control
        if isinstance(action, Transfer):
            if action.number and control.can_transfer:
                try:
                    await control.transfer(self.call_sid, action.number)
                except CallControlError:
                    logger.exception("Transfer failed", extra={"call_sid": self.call_sid})
                    await self._say_and_hang_up(phrases.TRANSFER_FAILED, outcome="failed")
                    return
            elif action.number:
                await control.transfer(self.call_sid, action.number)
            await self.end_call(outcome=None, reason="transfer", graceful=True)
            return
        if control.can_transfer:
            try:
                await control.hang_up(self.call_sid)
            except CallControlError:
                # Closing the media stream ends the call as well, because no TwiML follows it.
                logger.warning("Hang-up through Twilio failed", extra={"call_sid": self.call_sid})
        outcome = _HANGUP_OUTCOMES.get(action.reason)
        await self.end_call(outcome=outcome, reason=action.reason, graceful=True)

    async def end_call(self, *, outcome: str | None, reason: str, graceful: bool = False) -> None:
        """End the call: gracefully after the last words, or at once when the line is gone."""
        if self._end_task is not None:
            return
        if self._end_reason is None:
            self._end_reason = reason
        if outcome is not None and self._outcome is None:
            self._outcome = outcome
        # The adapter calls this from inside the pipeline. Stopping the pipeline from a
        # pipeline task would wait on itself, so the stop runs in a task of its own.
        self._end_task = asyncio.get_running_loop().create_task(self._stop_pipeline(graceful))

    def agent_event(self, event: AgentEvent) -> None:
        """Count tool calls for the summary line; their details live in the call record."""
        if isinstance(event, ToolFinished):
            self.stats.tool_calls.append(event.name)

    def turn_finished(self, turn: CallerTurn, *, interrupted: bool) -> None:
        """Store the turn's latency on its transcript line and in the call's statistics."""
        self.stats.turns += 1
        if interrupted:
            self.stats.barge_ins += 1
        v2v = turn.latency.voice_to_voice_ms
        if v2v is not None:
            self.stats.voice_to_voice_ms.append(v2v)
        if self.call_id is None:
            return
        latency = turn.latency.as_record(self._started)
        if interrupted:
            latency["barged_in"] = True
        self._record(self._telephony.records.turn_measured(self.call_id, latency))

    def telephony_speech(self, text: str) -> None:
        """Add a line the phone layer spoke to the transcript."""
        if self.call_id is not None:
            self._record(self._telephony.records.phone_line(self.call_id, text))

    # --- MediaListener ----------------------------------------------------------------

    def on_caller_media(self, ulaw: bytes) -> None:
        return None

    def on_agent_media(self, ulaw: bytes) -> None:
        if self._adapter is not None:
            self._adapter.note_agent_audio()

    def on_clear(self) -> None:
        return None

    # --- internals --------------------------------------------------------------------

    async def _wait_for_playback(self) -> bool:
        adapter = self._adapter
        if adapter is None:
            return True
        try:
            async with asyncio.timeout(_PLAYBACK_WAIT_SECONDS):
                return await adapter.wait_until_played()
        except TimeoutError:
            # A data change must not run on speech the caller may not have heard.
            logger.warning(
                "Twilio did not confirm playback in time; a data change is skipped",
                extra={"call_sid": self.call_sid},
            )
            return False

    async def _say_and_hang_up(self, text: str, *, outcome: str) -> None:
        self._outcome = outcome
        if self._adapter is not None:
            self.telephony_speech(text)
            await self._adapter.announce(text, then=Hangup(reason="transfer_failed"))

    async def _stop_pipeline(self, graceful: bool) -> None:
        worker = self._worker
        if worker is None:
            return
        if graceful:
            await worker.queue_frame(EndFrame())
        else:
            await worker.cancel(reason=self._end_reason)

    def _record(self, write: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(write)
        self._record_tasks.add(task)
        task.add_done_callback(self._record_tasks.discard)

    async def _finalise(self) -> None:
        if self._recording is not None:
            self._recording.close()
            if self.call_id is not None:
                self._record(
                    self._telephony.records.recording_saved(self.call_id, str(self._recording.path))
                )
        if self._record_tasks:
            await asyncio.gather(*self._record_tasks, return_exceptions=True)
        outcome = self._outcome
        if self._handle is not None:
            try:
                await self._handle.agent.finish(outcome=outcome)
            except Exception:
                logger.exception(
                    "Could not finalise the call record", extra={"call_sid": self.call_sid}
                )
        latencies = sorted(self.stats.voice_to_voice_ms)
        median = round(latencies[len(latencies) // 2]) if latencies else None
        logger.info(
            "Call ended",
            extra={
                "call_sid": self.call_sid,
                "reason": self._end_reason or "unknown",
                "outcome": outcome or "agent",
                "duration_s": round(time.monotonic() - self._started, 1),
                "turns": self.stats.turns,
                "barge_ins": self.stats.barge_ins,
                "voice_to_voice_p50_ms": median,
            },
        )
