"""Voice activity detection for the caller, with early notice of possible speech.

pipecat's ``VADProcessor`` reports only confirmed starts and stops. The adapter also needs to
know when the caller *might* have started talking again: Silero scores a window as speech
(the analyzer's ``STARTING`` state) about ``start_secs`` before a start is confirmed. A
transcript that arrives in that moment must wait, or a caller who paused mid-sentence would be
answered before finishing. :class:`CallerVAD` therefore emits :class:`PossibleSpeechFrame` on
entering and leaving ``STARTING``, besides the usual ``VADUserStartedSpeakingFrame`` and
``VADUserStoppedSpeakingFrame`` that segment speech for Whisper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipecat.audio.vad.vad_analyzer import VADState
from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    Frame,
    InputAudioRawFrame,
    SystemFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor, FrameProcessorSetup


@dataclass
class PossibleSpeechFrame(SystemFrame):
    """The caller may have started speaking (``active``), or that turned out to be noise."""

    active: bool


class CallerVAD(FrameProcessor):
    """Runs a pipecat ``VADAnalyzer`` on the caller's audio.

    Args:
        analyzer: The call's analyzer, from ``SpeechModels.create_vad_analyzer``.
    """

    def __init__(self, *, analyzer: Any) -> None:
        super().__init__(name="CallerVAD")
        self._analyzer = analyzer
        self._state = VADState.QUIET

    # pipecat's FrameProcessor.setup narrows BaseObject.setup's argument; mypy reports that here.
    async def setup(self, setup: FrameProcessorSetup) -> None:  # type: ignore[override]
        """Tell the analyzer the pipeline's input sample rate."""
        await super().setup(setup)
        self._analyzer.set_sample_rate(setup.audio_in_sample_rate)

    async def cleanup(self) -> None:
        """Release the analyzer's worker thread."""
        await super().cleanup()  # type: ignore[no-untyped-call]
        await self._analyzer.cleanup()

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Pass every frame on; analyze caller audio after passing it to speech-to-text."""
        await super().process_frame(frame, direction)
        await self.push_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame):
            await self._analyze(frame.audio)
        elif isinstance(frame, (EndFrame, CancelFrame)):
            self._state = VADState.QUIET

    async def _analyze(self, audio: bytes) -> None:
        state: VADState = await self._analyzer.analyze_audio(audio)
        previous, self._state = self._state, state
        if state == previous:
            return
        if state == VADState.STARTING and previous == VADState.QUIET:
            await self.push_frame(PossibleSpeechFrame(active=True))
        elif state == VADState.QUIET and previous == VADState.STARTING:
            await self.push_frame(PossibleSpeechFrame(active=False))
        elif state == VADState.SPEAKING and previous in (VADState.QUIET, VADState.STARTING):
            await self.push_frame(
                VADUserStartedSpeakingFrame(start_secs=self._analyzer.params.start_secs)
            )
        elif state == VADState.QUIET and previous in (VADState.SPEAKING, VADState.STOPPING):
            await self.push_frame(
                VADUserStoppedSpeakingFrame(stop_secs=self._analyzer.params.stop_secs)
            )
