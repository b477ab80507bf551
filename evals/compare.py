"""Compare two eval reports and say what regressed, what was fixed and what moved."""

from __future__ import annotations

from dataclasses import dataclass, field

from evals.results import ScenarioResult, SuiteReport


@dataclass
class Comparison:
    """The differences between an older and a newer report.

    Attributes:
        regressed: Scenarios that passed before and fail now, with the new failed checks.
        fixed: Scenarios that failed before and pass now.
        still_failing: Scenarios failing in both reports.
        added: Scenarios only in the new report.
        removed: Scenarios only in the old report.
        categories: Per category, the old and new pass rates.
    """

    old: SuiteReport
    new: SuiteReport
    regressed: list[tuple[str, list[str]]] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    still_failing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    categories: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    @property
    def has_regressions(self) -> bool:
        """Whether any scenario passed in the old report and fails in the new one."""
        return bool(self.regressed)


def _failed_checks(result: ScenarioResult) -> list[str]:
    names: list[str] = []
    for run in result.runs:
        for check in run.failures():
            text = f"{check.check}: {check.detail}" if check.detail else check.check
            if text not in names:
                names.append(text)
    return names


def compare_reports(old: SuiteReport, new: SuiteReport) -> Comparison:
    """Compare ``old`` with ``new`` scenario by scenario and category by category."""
    comparison = Comparison(old=old, new=new)
    old_by_id = {s.scenario_id: s for s in old.scenarios}
    new_by_id = {s.scenario_id: s for s in new.scenarios}
    for scenario_id in sorted(new_by_id):
        after = new_by_id[scenario_id]
        before = old_by_id.get(scenario_id)
        if before is None:
            comparison.added.append(scenario_id)
        elif before.passed and not after.passed:
            comparison.regressed.append((scenario_id, _failed_checks(after)))
        elif not before.passed and after.passed:
            comparison.fixed.append(scenario_id)
        elif not after.passed:
            comparison.still_failing.append(scenario_id)
    comparison.removed = sorted(set(old_by_id) - set(new_by_id))
    old_rates = {c.category: c.pass_rate for c in old.by_category()}
    new_rates = {c.category: c.pass_rate for c in new.by_category()}
    for category in sorted(set(old_rates) | set(new_rates)):
        comparison.categories[category] = (old_rates.get(category), new_rates.get(category))
    return comparison


def _pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.1%}"


def _run_label(report: SuiteReport) -> str:
    model = f" ({report.model})" if report.model else ""
    return f"{report.mode}, {report.brain}{model}, prompts {report.prompts_hash or '-'}"


def format_comparison(comparison: Comparison) -> str:
    """Render the comparison for a terminal, regressions first."""
    old, new = comparison.old, comparison.new
    lines = [
        f"old: {old.created_at:%Y-%m-%d %H:%M} {_run_label(old)}: pass rate {old.pass_rate:.1%}",
        f"new: {new.created_at:%Y-%m-%d %H:%M} {_run_label(new)}: pass rate {new.pass_rate:.1%}",
        "",
    ]
    if comparison.regressed:
        lines.append(f"REGRESSED ({len(comparison.regressed)}):")
        for scenario_id, checks in comparison.regressed:
            lines.append(f"  {scenario_id}")
            lines += [f"      {check}" for check in checks[:5]]
    else:
        lines.append("No regressions.")
    if comparison.fixed:
        lines.append(f"Fixed ({len(comparison.fixed)}): " + ", ".join(comparison.fixed))
    if comparison.still_failing:
        lines.append(
            f"Still failing ({len(comparison.still_failing)}): "
            + ", ".join(comparison.still_failing)
        )
    if comparison.added:
        lines.append(f"New scenarios ({len(comparison.added)}): " + ", ".join(comparison.added))
    if comparison.removed:
        lines.append(
            f"Removed scenarios ({len(comparison.removed)}): " + ", ".join(comparison.removed)
        )
    lines += ["", f"{'category':<22} {'old':>7} {'new':>7}"]
    for category, (before, after) in comparison.categories.items():
        mark = "  <-- down" if before is not None and after is not None and after < before else ""
        lines.append(f"{category:<22} {_pct(before):>7} {_pct(after):>7}{mark}")
    return "\n".join(lines)
