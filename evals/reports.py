"""Eval reports: a terminal table, a JSON file and a self-contained HTML page.

The HTML report has its CSS inline and loads nothing from the network, so it can be opened
from a CI artifact or attached to a review as is.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2

from evals.results import CheckResult, RunResult, SuiteReport, TurnLog

TEMPLATES_DIR = Path(__file__).parent / "templates"
CONTEXT_TURNS = 2
"""Caller turns shown before and after the turn a failed check points at."""


def transcript_around(run: RunResult, check: CheckResult) -> list[TurnLog]:
    """Return the part of the transcript that explains a failed check.

    Checks that point at a turn get the turns around it; the others (the database end state,
    say) get the end of the call, where the outcome was decided.
    """
    if check.turn is None:
        last = max((t.turn for t in run.transcript), default=0)
        low, high = last - 2 * CONTEXT_TURNS, last
    else:
        low, high = check.turn - CONTEXT_TURNS, check.turn + CONTEXT_TURNS
    return [t for t in run.transcript if low <= t.turn <= high]


def _format_turn(turn: TurnLog) -> str:
    who = "caller" if turn.speaker == "caller" else "agent "
    text = turn.text
    if turn.silence:
        text = "(silence)"
    elif turn.dtmf:
        text = f"{text} (keys {turn.dtmf})".strip()
    extra = f"  [{', '.join(turn.events)}]" if turn.events else ""
    return f"    {turn.turn:>2} {who}: {text}{extra}"


def _rate(passed: int, total: int) -> str:
    return f"{passed / total:6.1%}" if total else "   -  "


def format_terminal(report: SuiteReport, *, show_failures: bool = True) -> str:
    """Render the per-category table, the totals and each failure with its transcript."""
    lines = [
        f"Eval run: mode {report.mode}, brain {report.brain}"
        + (f" ({report.model})" if report.model else "")
        + f", caller {report.caller}, repeat {report.repeat}, prompts {report.prompts_hash or '-'}",
        "",
        f"{'category':<22} {'scenarios':>9} {'passed':>7} {'rate':>7}",
        f"{'-' * 22} {'-' * 9} {'-' * 7} {'-' * 7}",
    ]
    for category in report.by_category():
        lines.append(
            f"{category.category:<22} {category.scenarios:>9} {category.passed:>7} "
            f"{_rate(category.passed, category.scenarios):>7}"
        )
    summary = report.summary()
    lines.append(f"{'-' * 22} {'-' * 9} {'-' * 7} {'-' * 7}")
    lines.append(
        f"{'all':<22} {summary['scenarios']:>9} {summary['passed']:>7} "
        f"{_rate(summary['passed'], summary['scenarios']):>7}"
    )
    hats = ", ".join(f"pass^{k} {v:.1%}" for k, v in report.pass_hat().items())
    latency = report.latency_ms()
    lines.append("")
    lines.append(hats)
    if latency["p50"] is not None:
        lines.append(
            f"agent time to first sentence: p50 {latency['p50']:.0f} ms, "
            f"p95 {latency['p95']:.0f} ms, max {latency['max']:.0f} ms"
        )
    if summary["safety_failures"]:
        lines.append("SAFETY FAILURES: " + ", ".join(summary["safety_failures"]))
    if show_failures:
        lines += _failure_lines(report)
    return "\n".join(lines)


def _failure_lines(report: SuiteReport) -> list[str]:
    lines: list[str] = []
    for scenario in report.scenarios:
        for run in scenario.runs:
            if run.passed:
                continue
            marker = " [safety]" if scenario.safety else ""
            lines.append("")
            lines.append(
                f"FAIL {scenario.scenario_id}{marker} (run {run.attempt}, ended by {run.ended_by})"
            )
            for check in run.failures():
                lines.append(f"  {check.check}: {check.detail}")
            first = run.failures()[0] if run.failures() else None
            if first is not None:
                lines += [_format_turn(t) for t in transcript_around(run, first)]
    return lines


def write_json(report: SuiteReport, path: Path) -> None:
    """Write the report as JSON, with the summary figures at the top."""
    payload = {"summary": report.summary(), **report.model_dump(mode="json")}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_json(path: Path) -> SuiteReport:
    """Read a report written by :func:`write_json`.

    Raises:
        ValueError: The file is not an eval report.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "scenarios" not in data:
        raise ValueError(f"{path} is not an eval report: it has no 'scenarios' list.")
    data.pop("summary", None)
    return SuiteReport.model_validate(data)


def render_html(report: SuiteReport) -> str:
    """Render the report as one HTML page with inline CSS and no external assets."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["pct"] = lambda value: f"{value:.1%}"
    environment.filters["ms"] = lambda value: "-" if value is None else f"{value:.0f} ms"
    environment.filters["as_json"] = lambda value: json.dumps(
        value, ensure_ascii=False, default=str
    )
    return environment.get_template("report.html.j2").render(
        report=report, summary=report.summary(), transcript_around=transcript_around
    )


def write_html(report: SuiteReport, path: Path) -> None:
    """Write the HTML report to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
