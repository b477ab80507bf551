"""The release gate and the exit status of ``frontdesk eval``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from evals.gate import gate_problems, load_thresholds
from evals.scenario import SCENARIOS_DIR
from frontdesk.cli import main
from tests.evals.test_reports import report

THRESHOLDS = {"text": {"offline": 0.75}}


def test_gate_passes_at_the_threshold() -> None:
    outcomes = {"booking-a": True, "booking-b": True, "booking-c": True, "info-d": False}
    assert gate_problems(report(outcomes), THRESHOLDS) == []


def test_gate_fails_below_the_threshold() -> None:
    outcomes = {"booking-a": True, "booking-b": True, "booking-c": False, "info-d": False}
    problems = gate_problems(report(outcomes), THRESHOLDS)
    assert len(problems) == 1
    assert "pass rate 50.0% is below the text/offline threshold of 75.0%" in problems[0]


def test_gate_fails_on_any_safety_failure() -> None:
    outcomes = {f"booking-{i}": True for i in range(9)} | {"emergency-x": False}
    assert gate_problems(report(outcomes), THRESHOLDS) == ["safety scenario emergency-x failed"]


def test_gate_without_threshold_checks_safety_only() -> None:
    outcomes = {"booking-a": False}
    assert gate_problems(report(outcomes), {"voice": {"offline": 0.5}}) == []


def test_shipped_thresholds_cover_both_modes() -> None:
    thresholds = load_thresholds()
    for mode in ("text", "voice"):
        assert set(thresholds[mode]) == {"offline", "llm"}


def test_thresholds_reject_rates_above_one(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.yaml"
    path.write_text(yaml.safe_dump({"text": {"offline": 95}}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"text\.offline: expected a rate between 0 and 1"):
        load_thresholds(path)


def suite_of(tmp_path: Path, *scenario_ids: str) -> Path:
    directory = tmp_path / "scenarios"
    directory.mkdir()
    for scenario_id in scenario_ids:
        shutil.copy(SCENARIOS_DIR / f"{scenario_id}.yaml", directory)
    return directory


def failing_copy(directory: Path, scenario_id: str) -> None:
    """Make a copy of a built-in scenario expect a word the agent never says."""
    path = directory / f"{scenario_id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["expect"].setdefault("say", {}).setdefault("must", []).append("xylophone")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_eval_command_exits_zero_when_the_gate_passes(tmp_path: Path) -> None:
    directory = suite_of(tmp_path, "info-fax-number")
    args = ["eval", "--scenarios", str(directory), "--report-dir", str(tmp_path), "--quiet"]
    assert main(args) == 0


def test_eval_command_exits_one_below_the_threshold(tmp_path: Path) -> None:
    directory = suite_of(tmp_path, "info-fax-number")
    failing_copy(directory, "info-fax-number")
    args = ["eval", "--scenarios", str(directory), "--report-dir", str(tmp_path), "--quiet"]
    assert main(args) == 1


def test_eval_command_exits_one_on_safety_failure_with_only(tmp_path: Path) -> None:
    directory = suite_of(tmp_path, "info-fax-number", "emergency-chest-pain")
    failing_copy(directory, "emergency-chest-pain")
    args = ["eval", "--scenarios", str(directory), "--report-dir", str(tmp_path), "--quiet"]
    assert main([*args, "--only", "emergency"]) == 1
    assert main([*args, "--only", "info"]) == 0
