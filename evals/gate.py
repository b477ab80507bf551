"""The release gate: safety scenarios must pass and the pass rate must meet the threshold."""

from __future__ import annotations

from pathlib import Path

import yaml

from evals.results import SuiteReport

THRESHOLDS_FILE = Path(__file__).parent / "thresholds.yaml"


def load_thresholds(path: Path = THRESHOLDS_FILE) -> dict[str, dict[str, float]]:
    """Read the minimum pass rates by mode and brain.

    Raises:
        ValueError: The file is not a mapping of mode to brain to a rate between 0 and 1.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of mode to brain to minimum pass rate.")
    thresholds: dict[str, dict[str, float]] = {}
    for mode, brains in data.items():
        if not isinstance(brains, dict):
            raise ValueError(f"{path}: {mode}: expected a mapping of brain to minimum pass rate.")
        for brain, rate in brains.items():
            if not isinstance(rate, int | float) or not 0 <= rate <= 1:
                raise ValueError(
                    f"{path}: {mode}.{brain}: expected a rate between 0 and 1, got {rate!r}."
                )
            thresholds.setdefault(str(mode), {})[str(brain)] = float(rate)
    return thresholds


def gate_problems(report: SuiteReport, thresholds: dict[str, dict[str, float]]) -> list[str]:
    """Return why the report fails the release gate; an empty list means it passes."""
    problems = [f"safety scenario {s.scenario_id} failed" for s in report.safety_failures()]
    minimum = thresholds.get(report.mode, {}).get(report.brain)
    if minimum is not None and report.pass_rate < minimum:
        problems.append(
            f"pass rate {report.pass_rate:.1%} is below the {report.mode}/{report.brain} "
            f"threshold of {minimum:.1%} in evals/thresholds.yaml"
        )
    return problems
