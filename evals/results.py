"""What an eval run records: transcripts, tool calls, checks, and the pass^k arithmetic.

These models are also the JSON report's schema, so ``frontdesk eval compare`` can read a
report written by an earlier version of the suite.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

REPORT_VERSION = 1


class ToolCallLog(BaseModel):
    """One tool call the agent made, in the caller turn it answered."""

    turn: int
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    result: dict[str, Any] = Field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the tool reported success."""
        return bool(self.result.get("ok"))


class TurnLog(BaseModel):
    """One side of one exchange; agent turns carry their latency and events."""

    turn: int
    speaker: Literal["caller", "agent"]
    text: str
    silence: bool = False
    dtmf: str | None = None
    stt_confidence: float | None = None
    first_speech_ms: float | None = None
    total_ms: float | None = None
    events: list[str] = Field(default_factory=list)


class EscalationLog(BaseModel):
    """A hand-over: a ``Transfer`` event, a ``transfer_to_human`` call or the call record."""

    turn: int
    source: Literal["transfer_event", "transfer_tool", "call_record"]
    reason: str = ""
    urgency: str = ""


class CheckResult(BaseModel):
    """One graded expectation; ``turn`` points at the part of the transcript involved."""

    check: str
    passed: bool
    detail: str = ""
    turn: int | None = None


class RunResult(BaseModel):
    """One run of one scenario."""

    scenario_id: str
    category: str
    safety: bool
    attempt: int
    passed: bool
    checks: list[CheckResult] = Field(default_factory=list)
    transcript: list[TurnLog] = Field(default_factory=list)
    tool_calls: list[ToolCallLog] = Field(default_factory=list)
    escalations: list[EscalationLog] = Field(default_factory=list)
    caller_turns: int = 0
    ended_by: str = ""
    outcome: str | None = None
    error: str | None = None
    duration_ms: float = 0.0

    def failures(self) -> list[CheckResult]:
        """Return the checks that failed."""
        return [c for c in self.checks if not c.passed]

    def first_speech_latencies(self) -> list[float]:
        """Return each agent reply's time to its first sentence, in milliseconds."""
        return [
            t.first_speech_ms
            for t in self.transcript
            if t.speaker == "agent" and t.first_speech_ms is not None and t.turn > 0
        ]


class ScenarioResult(BaseModel):
    """Every run of one scenario; it passes (pass^k) only when all runs pass."""

    scenario_id: str
    category: str
    safety: bool
    description: str = ""
    runs: list[RunResult] = Field(default_factory=list)

    @property
    def successes(self) -> int:
        """Runs that passed."""
        return sum(1 for r in self.runs if r.passed)

    @property
    def passed(self) -> bool:
        """Whether every run passed."""
        return bool(self.runs) and self.successes == len(self.runs)


def pass_hat_k(successes: int, trials: int, k: int) -> float:
    """Estimate the chance that ``k`` independent runs of a scenario all pass.

    This is tau-bench's unbiased estimator from ``trials`` runs of which ``successes``
    passed: C(successes, k) / C(trials, k). With ``k == trials`` it is 1 when every run
    passed and 0 otherwise.

    Raises:
        ValueError: ``k`` is not between 1 and ``trials``, or ``successes`` exceeds
            ``trials``.
    """
    if not 1 <= k <= trials:
        raise ValueError(f"k must be between 1 and the number of runs ({trials}); got {k}.")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and {trials}; got {successes}.")
    return math.comb(successes, k) / math.comb(trials, k)


def suite_pass_hat_k(results: Sequence[ScenarioResult], k: int) -> float:
    """Average pass^k over scenarios (0 for an empty suite)."""
    if not results:
        return 0.0
    return statistics.fmean(pass_hat_k(r.successes, len(r.runs), k) for r in results)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Return the ``fraction`` quantile (nearest rank) of ``values``, or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


class CategorySummary(BaseModel):
    category: str
    scenarios: int
    passed: int

    @property
    def pass_rate(self) -> float:
        """Share of the category's scenarios that passed every run."""
        return self.passed / self.scenarios if self.scenarios else 0.0


class SuiteReport(BaseModel):
    """A whole eval run: how it ran and every scenario's result."""

    version: int = REPORT_VERSION
    created_at: datetime
    mode: Literal["text", "voice"]
    brain: str
    model: str | None = None
    prompts_hash: str | None = None
    caller: str = "goal"
    repeat: int = 1
    scenarios: list[ScenarioResult] = Field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        """Share of scenarios that passed every one of their runs (pass^k with k = repeat)."""
        if not self.scenarios:
            return 0.0
        return sum(1 for s in self.scenarios if s.passed) / len(self.scenarios)

    def pass_hat(self) -> dict[int, float]:
        """Return pass^j for j = 1..repeat."""
        runs = min((len(s.runs) for s in self.scenarios), default=0)
        return {j: suite_pass_hat_k(self.scenarios, j) for j in range(1, runs + 1)}

    def by_category(self) -> list[CategorySummary]:
        """Return per-category counts, sorted by category."""
        categories: dict[str, CategorySummary] = {}
        for s in self.scenarios:
            summary = categories.setdefault(
                s.category, CategorySummary(category=s.category, scenarios=0, passed=0)
            )
            summary.scenarios += 1
            summary.passed += int(s.passed)
        return [categories[name] for name in sorted(categories)]

    def safety_failures(self) -> list[ScenarioResult]:
        """Return the safety scenarios that failed at least one run."""
        return [s for s in self.scenarios if s.safety and not s.passed]

    def latency_ms(self) -> dict[str, float | None]:
        """Return p50/p95/max of the agent's time to first sentence over all runs."""
        values = [v for s in self.scenarios for r in s.runs for v in r.first_speech_latencies()]
        return {
            "p50": percentile(values, 0.5),
            "p95": percentile(values, 0.95),
            "max": max(values) if values else None,
        }

    def summary(self) -> dict[str, Any]:
        """Return the figures that head every report."""
        return {
            "scenarios": len(self.scenarios),
            "passed": sum(1 for s in self.scenarios if s.passed),
            "pass_rate": self.pass_rate,
            "pass_hat_k": {str(k): v for k, v in self.pass_hat().items()},
            "safety_failures": [s.scenario_id for s in self.safety_failures()],
            "by_category": {
                c.category: {"scenarios": c.scenarios, "passed": c.passed, "pass_rate": c.pass_rate}
                for c in self.by_category()
            },
            "first_speech_ms": self.latency_ms(),
        }
