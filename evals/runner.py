"""Run scenarios against the agent and grade each run.

Each run gets a fresh copy of the fixture database and a simulated caller. The call goes on
until the agent transfers or hangs up, the caller says goodbye or the turn limit is reached.
Then the grader compares the database and the transcript with the scenario's expectations.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import select

from clinic.models import Call
from evals.callers import make_caller
from evals.conversation import (
    AgentReply,
    Conversation,
    ConversationFactory,
    PinnedClock,
    TextConversation,
)
from evals.dbstate import References, diff, snapshot
from evals.fixtures import ClinicDatabase, FixtureError, FixtureFactory
from evals.grader import Observation, grade
from evals.results import (
    CheckResult,
    EscalationLog,
    RunResult,
    ScenarioResult,
    SuiteReport,
    ToolCallLog,
    TurnLog,
)
from evals.scenario import Scenario
from frontdesk.settings import Settings

logger = logging.getLogger(__name__)

GRADED_TABLES = [
    "patient",
    "coverage",
    "prescription",
    "appointment",
    "refill_request",
    "staff_task",
]


@dataclass
class EvalOptions:
    """How to run a suite.

    Attributes:
        settings: The deployment settings; the brain choice overrides their LLM fields.
        mode: ``text`` drives the agent session directly, ``voice`` a simulated phone call.
        brain: ``offline`` (the default, and what CI runs) or ``llm``.
        repeat: Runs per scenario; a scenario passes only when all of them pass.
        caller: ``scenario`` uses each scenario's caller mode; ``llm`` plays every
            goal-driven caller with the LLM when one is configured.
        run_timeout_seconds: A run still going after this long fails with a timeout.
        work_dir: Where the per-run databases go (a temporary directory inside it).
        conversation_factory: Opens each run's conversation; by default the agent in
            ``mode``. Tests pass fakes here.
        prompts_hash: Recorded in the report; by default the hash of the ``prompts`` files.
    """

    settings: Settings
    mode: Literal["text", "voice"] = "text"
    brain: Literal["offline", "llm"] = "offline"
    repeat: int = 1
    caller: Literal["scenario", "llm"] = "scenario"
    run_timeout_seconds: float = 60.0
    work_dir: Path | None = None
    conversation_factory: ConversationFactory | None = field(default=None, repr=False)
    prompts_hash: str | None = None


class EvalConfigurationError(ValueError):
    """The options cannot run: an LLM brain without an endpoint, for instance."""


def brain_settings(settings: Settings, brain: str) -> Settings:
    """Return settings that make :func:`agent.factory.build_session` pick ``brain``.

    Raises:
        EvalConfigurationError: ``brain`` is ``llm`` but no LLM endpoint is configured.
    """
    if brain == "offline":
        return settings.model_copy(update={"llm_base_url": None, "llm_api_key": None})
    if not settings.llm_configured:
        raise EvalConfigurationError(
            "--brain llm needs an LLM endpoint: set FRONTDESK_LLM_BASE_URL or "
            "FRONTDESK_LLM_API_KEY."
        )
    return settings


async def text_conversation(
    scenario: Scenario,
    database: ClinicDatabase,
    call_sid: str,
    clock: PinnedClock,
    *,
    settings: Settings,
) -> Conversation:
    """Open a text-mode conversation with a new agent session on ``database``."""
    from agent.factory import build_session

    caller_number = scenario.fixture.caller_number or scenario.caller.facts.phone
    session = build_session(
        settings,
        database.session_factory,
        call_sid=call_sid,
        caller_number=caller_number,
        channel="eval",
        now=clock,
    )
    return TextConversation(session, call_sid=call_sid, clock=clock)


@dataclass
class _Transcript:
    turns: list[TurnLog] = field(default_factory=list)
    tool_calls: list[ToolCallLog] = field(default_factory=list)
    escalations: list[EscalationLog] = field(default_factory=list)

    def add_agent(self, turn: int, reply: AgentReply) -> None:
        self.turns.append(
            TurnLog(
                turn=turn,
                speaker="agent",
                text=reply.text,
                first_speech_ms=reply.first_speech_ms,
                total_ms=reply.total_ms,
                events=reply.events,
            )
        )
        for name, arguments, result in reply.tool_calls:
            self.tool_calls.append(
                ToolCallLog(turn=turn, name=name, arguments=arguments, result=result)
            )
            if name == "transfer_to_human":
                self.escalations.append(
                    EscalationLog(
                        turn=turn,
                        source="transfer_tool",
                        reason=str(arguments.get("reason") or ""),
                        urgency=str(arguments.get("urgency") or ""),
                    )
                )
        if reply.transfer is not None:
            self.escalations.append(
                EscalationLog(
                    turn=turn,
                    source="transfer_event",
                    reason=reply.transfer.reason,
                    urgency=reply.transfer.urgency,
                )
            )


async def _converse(
    scenario: Scenario, conversation: Conversation, transcript: _Transcript, options: EvalOptions
) -> tuple[str, int]:
    """Play the call; return how it ended and the number of caller turns."""
    caller = make_caller(
        scenario.caller, settings=options.settings, prefer_llm=options.caller == "llm"
    )
    transcript.add_agent(0, await conversation.greet())
    line = caller.opening()
    for turn in range(1, scenario.expect.max_turns + 1):
        transcript.turns.append(
            TurnLog(
                turn=turn,
                speaker="caller",
                text=line.text,
                silence=line.silence,
                dtmf=line.dtmf,
                stt_confidence=line.stt_confidence,
            )
        )
        reply = await conversation.respond(line)
        transcript.add_agent(turn, reply)
        if reply.transfer is not None:
            return "transfer", turn
        if reply.hangup is not None:
            return "hangup", turn
        if caller.finished:
            return "caller_done", turn
        next_line = await caller.next_line(reply.text)
        if next_line is None:
            return ("caller_done" if caller.finished else "caller_gave_up"), turn
        line = next_line
    return "turn_limit", scenario.expect.max_turns


def _read_call_record(
    database: ClinicDatabase, call_sid: str, transcript: _Transcript, last_turn: int
) -> str | None:
    """Return the call's outcome, and count an escalation the events did not show.

    The safety screen may hand a call over by its own means (an urgent staff task, the
    call marked escalated) without a ``Transfer`` event; the call record still says so.
    """
    with database.session_factory() as session:
        call = session.scalars(select(Call).where(Call.call_sid == call_sid)).first()
        if call is None:
            return None
        if call.escalated and not transcript.escalations:
            transcript.escalations.append(
                EscalationLog(turn=last_turn, source="call_record", reason=call.reason or "")
            )
        return str(call.outcome.value)


async def run_once(
    scenario: Scenario, attempt: int, options: EvalOptions, fixtures: FixtureFactory
) -> RunResult:
    """Run ``scenario`` once on a fresh database and grade it.

    A fixture the demo clinic cannot hold (an unknown name, an overlapping booking) fails
    the run with a ``fixture`` check instead of stopping the suite.
    """
    started = time.perf_counter()
    try:
        database = fixtures.create(scenario.fixture)
    except FixtureError as exc:
        return RunResult(
            scenario_id=scenario.id,
            category=scenario.category,
            safety=scenario.safety,
            attempt=attempt,
            passed=False,
            checks=[CheckResult(check="fixture", passed=False, detail=str(exc))],
            ended_by="error",
            error=f"FixtureError: {exc}",
            duration_ms=(time.perf_counter() - started) * 1000,
        )
    call_sid = f"EV-{scenario.id}-{attempt}"
    transcript = _Transcript()
    ended_by, caller_turns, error = "error", 0, None
    try:
        before = snapshot(database.session_factory, GRADED_TABLES)
        clock = PinnedClock(database.now)
        factory = options.conversation_factory
        if factory is None:
            raise EvalConfigurationError("No conversation factory is set for this mode.")
        conversation = await factory(scenario, database, call_sid, clock)
        # A phone call gets its CallSid from the simulated phone, not from the run.
        call_sid = conversation.call_sid
        try:
            async with asyncio.timeout(options.run_timeout_seconds):
                ended_by, caller_turns = await _converse(
                    scenario, conversation, transcript, options
                )
        finally:
            await conversation.finish()
    except TimeoutError:
        error = f"the run timed out after {options.run_timeout_seconds:.0f} s"
    except Exception as exc:  # the agent under test may fail in any way; the run records it
        logger.warning(
            "Eval run failed", extra={"scenario": scenario.id, "error": type(exc).__name__}
        )
        error = f"{type(exc).__name__}: {exc}"
    try:
        after = snapshot(database.session_factory, GRADED_TABLES)
        observation = Observation(
            transcript=transcript.turns,
            tool_calls=transcript.tool_calls,
            escalations=transcript.escalations,
            changes=diff(before, after),
            references=References(database.session_factory),
            timezone=database.timezone,
            caller_turns=caller_turns,
            ended_by=ended_by,
            outcome=_read_call_record(database, call_sid, transcript, caller_turns),
            error=error,
        )
        checks = grade(scenario, observation)
    finally:
        database.close()
    return RunResult(
        scenario_id=scenario.id,
        category=scenario.category,
        safety=scenario.safety,
        attempt=attempt,
        passed=all(c.passed for c in checks),
        checks=checks,
        transcript=transcript.turns,
        tool_calls=transcript.tool_calls,
        escalations=transcript.escalations,
        caller_turns=caller_turns,
        ended_by=ended_by,
        outcome=observation.outcome,
        error=error,
        duration_ms=(time.perf_counter() - started) * 1000,
    )


async def run_suite(
    scenarios: list[Scenario],
    options: EvalOptions,
    *,
    on_result: Callable[[ScenarioResult], None] | None = None,
) -> SuiteReport:
    """Run every scenario ``options.repeat`` times and return the report.

    Raises:
        EvalConfigurationError: The options cannot run (see :func:`brain_settings`).
    """
    settings = brain_settings(options.settings, options.brain)
    if options.conversation_factory is None:
        options.conversation_factory = _default_factory(options.mode, settings)
    report = SuiteReport(
        created_at=datetime.now(UTC),
        mode=options.mode,
        brain=options.brain,
        model=settings.llm_model if options.brain == "llm" else None,
        prompts_hash=options.prompts_hash or current_prompts_hash(),
        caller=options.caller,
        repeat=options.repeat,
    )
    work_dir = Path(tempfile.mkdtemp(prefix="frontdesk-evals-", dir=options.work_dir))
    try:
        fixtures = FixtureFactory(work_dir)
        for scenario in scenarios:
            result = ScenarioResult(
                scenario_id=scenario.id,
                category=scenario.category,
                safety=scenario.safety,
                description=scenario.description,
            )
            for attempt in range(1, options.repeat + 1):
                result.runs.append(await run_once(scenario, attempt, options, fixtures))
            report.scenarios.append(result)
            if on_result is not None:
                on_result(result)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return report


def _default_factory(mode: str, settings: Settings) -> ConversationFactory:
    if mode == "voice":
        from evals.voice import voice_conversation_factory

        return voice_conversation_factory(settings)

    async def factory(
        scenario: Scenario, database: ClinicDatabase, call_sid: str, clock: PinnedClock
    ) -> Conversation:
        return await text_conversation(scenario, database, call_sid, clock, settings=settings)

    return factory


def current_prompts_hash() -> str | None:
    """Return the hash of the agent's prompt templates, recorded with every result."""
    from prompts import prompt_hash

    return prompt_hash()
