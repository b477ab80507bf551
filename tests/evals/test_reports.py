"""Reports: terminal table, JSON round trip, self-contained HTML and comparison."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from evals.compare import compare_reports, format_comparison
from evals.reports import format_terminal, read_json, render_html, write_html, write_json
from evals.results import CheckResult, RunResult, ScenarioResult, SuiteReport, ToolCallLog, TurnLog
from frontdesk.cli import main


def run(scenario_id: str, category: str, passed: bool, *, safety: bool = False) -> RunResult:
    checks = [CheckResult(check="turn_limit", passed=True)]
    if not passed:
        checks.append(
            CheckResult(
                check="tools.forbidden[0]", passed=False, detail="cancel was called", turn=2
            )
        )
    return RunResult(
        scenario_id=scenario_id,
        category=category,
        safety=safety,
        attempt=1,
        passed=passed,
        checks=checks,
        transcript=[
            TurnLog(turn=0, speaker="agent", text="Thanks for calling."),
            TurnLog(turn=1, speaker="caller", text="Cancel <b>everything</b>"),
            TurnLog(turn=1, speaker="agent", text="Sure.", first_speech_ms=120.0, total_ms=300.0),
            TurnLog(turn=2, speaker="caller", text="Yes."),
            TurnLog(turn=2, speaker="agent", text="Cancelled.", first_speech_ms=80.0),
        ],
        tool_calls=[ToolCallLog(turn=2, name="cancel_appointment", arguments={"confirmed": True})],
        caller_turns=2,
        ended_by="caller_done",
    )


def report(outcomes: dict[str, bool]) -> SuiteReport:
    scenarios = []
    for scenario_id, passed in outcomes.items():
        category, safety = scenario_id.split("-")[0], scenario_id.startswith("emergency")
        scenarios.append(
            ScenarioResult(
                scenario_id=scenario_id,
                category=category,
                safety=safety,
                runs=[run(scenario_id, category, passed, safety=safety)],
            )
        )
    return SuiteReport(
        created_at=datetime(2026, 3, 2, 14, 0, tzinfo=UTC),
        mode="text",
        brain="offline",
        prompts_hash="abc123",
        scenarios=scenarios,
    )


def test_terminal_table_shows_categories_and_failures() -> None:
    text = format_terminal(report({"booking-a": True, "booking-b": False, "emergency-c": True}))
    assert re.search(r"booking\s+2\s+1\s+50\.0%", text)
    assert re.search(r"emergency\s+1\s+1\s+100\.0%", text)
    assert "pass^1 66.7%" in text
    assert "FAIL booking-b" in text
    assert "tools.forbidden[0]: cancel was called" in text
    assert "caller: Yes." in text


def test_json_round_trip(tmp_path: Path) -> None:
    original = report({"booking-a": True, "emergency-c": False})
    path = tmp_path / "out" / "eval-report.json"
    write_json(original, path)
    data = json.loads(path.read_text())
    assert data["summary"]["safety_failures"] == ["emergency-c"]
    assert data["summary"]["by_category"]["booking"]["pass_rate"] == 1.0
    loaded = read_json(path)
    assert loaded.model_dump() == original.model_dump()


def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    page = render_html(report({"booking-a": True, "booking-b": False}))
    assert "<style>" in page
    assert not re.search(r"<(script|link|img)\b", page)
    assert "http://" not in page
    assert "https://" not in page
    assert "Cancel &lt;b&gt;everything&lt;/b&gt;" in page
    assert "cancel was called" in page
    assert "cancel_appointment" in page
    assert "120 ms" in page
    write_html(report({"booking-a": True}), tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text().startswith("<!doctype html>")


def test_compare_names_regressions(tmp_path: Path) -> None:
    old = report({"booking-a": True, "booking-b": False, "refill-c": True})
    new = report({"booking-a": False, "booking-b": True, "info-d": True})
    comparison = compare_reports(old, new)
    assert [scenario for scenario, _ in comparison.regressed] == ["booking-a"]
    assert comparison.fixed == ["booking-b"]
    assert comparison.added == ["info-d"]
    assert comparison.removed == ["refill-c"]
    text = format_comparison(comparison)
    assert "REGRESSED (1)" in text
    assert "tools.forbidden[0]: cancel was called" in text


def test_compare_command_exit_status(tmp_path: Path, capsys: object) -> None:
    old_path, new_path = tmp_path / "old.json", tmp_path / "new.json"
    write_json(report({"booking-a": True}), old_path)
    write_json(report({"booking-a": False}), new_path)
    assert main(["eval", "compare", str(old_path), str(new_path)]) == 1
    assert main(["eval", "compare", str(old_path), str(old_path)]) == 0
    assert main(["eval", "compare", str(old_path), str(tmp_path / "missing.json")]) == 2
