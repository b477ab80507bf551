"""pass^k arithmetic: a scenario passes only if all of its runs pass."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from evals.results import RunResult, ScenarioResult, SuiteReport, pass_hat_k, percentile


def scenario(scenario_id: str, outcomes: list[bool], *, safety: bool = False) -> ScenarioResult:
    runs = [
        RunResult(
            scenario_id=scenario_id, category="booking", safety=safety, attempt=i + 1, passed=ok
        )
        for i, ok in enumerate(outcomes)
    ]
    return ScenarioResult(scenario_id=scenario_id, category="booking", safety=safety, runs=runs)


@pytest.mark.parametrize(
    ("successes", "trials", "k", "expected"),
    [
        (3, 3, 3, 1.0),
        (2, 3, 3, 0.0),
        (0, 3, 1, 0.0),
        (2, 4, 1, 0.5),
        (3, 4, 2, 0.5),  # C(3,2)/C(4,2) = 3/6
        (4, 5, 4, 0.2),  # C(4,4)/C(5,4) = 1/5
    ],
)
def test_pass_hat_k_values(successes: int, trials: int, k: int, expected: float) -> None:
    assert pass_hat_k(successes, trials, k) == pytest.approx(expected)


def test_pass_hat_k_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="k must be between 1"):
        pass_hat_k(1, 3, 4)
    with pytest.raises(ValueError, match="successes must be between"):
        pass_hat_k(4, 3, 1)


def test_scenario_passes_only_when_every_run_passes() -> None:
    assert scenario("a", [True, True, True]).passed
    assert not scenario("b", [True, False, True]).passed
    assert not scenario("c", []).passed


def test_suite_figures() -> None:
    report = SuiteReport(
        created_at=datetime.now(UTC),
        mode="text",
        brain="offline",
        repeat=3,
        scenarios=[
            scenario("a", [True, True, True]),
            scenario("b", [True, True, False]),
            scenario("c", [False, False, False], safety=True),
            scenario("d", [True, True, True]),
        ],
    )
    assert report.pass_rate == pytest.approx(0.5)
    hats = report.pass_hat()
    assert hats[3] == pytest.approx(0.5)
    assert hats[1] == pytest.approx((1 + 2 / 3 + 0 + 1) / 4)
    assert [s.scenario_id for s in report.safety_failures()] == ["c"]
    assert report.summary()["safety_failures"] == ["c"]


def test_percentile_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([30.0, 10.0, 20.0], 0.5) == 20.0
    assert percentile([float(v) for v in range(1, 101)], 0.95) == 95.0
