"""``frontdesk eval``: run the scripted call evals, compare reports, list and check scenarios.

Exit status: 0 when the run passes the release gate (every safety scenario passes and the
pass rate meets ``evals/thresholds.yaml``), 1 when it does not or ``compare`` finds a
regression, 2 when a scenario file or an option is invalid.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from evals.compare import compare_reports, format_comparison
from evals.fixtures import fixture_problems
from evals.gate import gate_problems, load_thresholds
from evals.reports import format_terminal, read_json, write_html, write_json
from evals.results import ScenarioResult
from evals.runner import EvalConfigurationError, EvalOptions, run_suite
from evals.scenario import SCENARIOS_DIR, ScenarioError, load_scenarios
from frontdesk.settings import Settings

REPORT_NAME = "eval-report"


def register(subparsers: Any) -> None:
    """Add the ``eval`` command and its ``compare``, ``list`` and ``check`` actions."""
    parser = subparsers.add_parser(
        "eval",
        help="run the scripted call evals",
        description="Run scripted calls against the agent and grade the database end state, "
        "tool calls, speech and escalation of each.",
    )
    parser.add_argument(
        "--mode",
        choices=("text", "voice"),
        default="text",
        help="text drives the agent directly; voice places simulated phone calls",
    )
    parser.add_argument(
        "--brain",
        choices=("offline", "llm"),
        default="offline",
        help="the agent's brain (llm needs FRONTDESK_LLM_BASE_URL or _API_KEY)",
    )
    parser.add_argument(
        "--repeat",
        type=_positive_int,
        default=1,
        metavar="K",
        help="runs per scenario; a scenario passes only if all K pass (pass^k)",
    )
    parser.add_argument(
        "--only", metavar="PATTERN", help="regular expression on scenario ids and categories"
    )
    parser.add_argument(
        "--caller",
        choices=("scenario", "llm"),
        default="scenario",
        help="llm lets an LLM play every goal-driven caller when one is configured",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=Path("eval-reports"),
        help="where eval-report.json and eval-report.html go (default: eval-reports)",
    )
    parser.add_argument(
        "--scenarios",
        type=Path,
        default=SCENARIOS_DIR,
        help="directory of scenario YAML files (default: the built-in suite)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="time limit of one run (default: 60 in text mode, 300 in voice mode)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="print the table without failure details"
    )
    parser.set_defaults(handler=_run)

    actions = parser.add_subparsers(dest="eval_action", metavar="ACTION")
    compare = actions.add_parser("compare", help="show what regressed between two JSON reports")
    compare.add_argument("old", type=Path, help="the earlier eval-report.json")
    compare.add_argument("new", type=Path, help="the later eval-report.json")
    compare.set_defaults(handler=_compare)
    listing = actions.add_parser("list", help="list the scenarios with their category")
    listing.set_defaults(handler=_list)
    check = actions.add_parser("check", help="validate the scenario files without running them")
    check.set_defaults(handler=_check)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def _progress(result: ScenarioResult) -> None:
    mark = "." if result.passed else ("S" if result.safety else "F")
    print(mark, end="", flush=True, file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    try:
        scenarios = load_scenarios(args.scenarios, only=args.only)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not scenarios:
        print(f"error: no scenario matches --only {args.only!r}.", file=sys.stderr)
        return 2
    if not args.verbose:
        # Per-call INFO lines (seeding, call finished) would bury the progress dots.
        logging.getLogger().setLevel(logging.WARNING)
    timeout = args.timeout or (300.0 if args.mode == "voice" else 60.0)
    options = EvalOptions(
        settings=Settings(),
        mode=args.mode,
        brain=args.brain,
        repeat=args.repeat,
        caller=args.caller,
        run_timeout_seconds=timeout,
    )
    try:
        report = asyncio.run(run_suite(scenarios, options, on_result=_progress))
    except EvalConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(file=sys.stderr)
    print(format_terminal(report, show_failures=not args.quiet))
    json_path = args.report_dir / f"{REPORT_NAME}.json"
    html_path = args.report_dir / f"{REPORT_NAME}.html"
    write_json(report, json_path)
    write_html(report, html_path)
    print(f"\nReports: {json_path} and {html_path}")
    problems = gate_problems(report, load_thresholds())
    if args.only:
        # A filtered run is a subset: only its safety scenarios gate it, not the suite's rate.
        problems = [p for p in problems if p.startswith("safety")]
    for problem in problems:
        print(f"GATE: {problem}")
    return 1 if problems else 0


def _compare(args: argparse.Namespace) -> int:
    try:
        old, new = read_json(args.old), read_json(args.new)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    comparison = compare_reports(old, new)
    print(format_comparison(comparison))
    return 1 if comparison.has_regressions else 0


def _list(args: argparse.Namespace) -> int:
    try:
        scenarios = load_scenarios(args.scenarios, only=args.only)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for scenario in scenarios:
        marker = " [safety]" if scenario.safety else ""
        print(f"{scenario.id:<48} {scenario.category}{marker}")
    print(f"{len(scenarios)} scenarios")
    return 0


def _check(args: argparse.Namespace) -> int:
    try:
        scenarios = load_scenarios(args.scenarios)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.verbose:
        # Seeding the fixtures logs migrations at INFO, which would bury the result.
        logging.getLogger().setLevel(logging.WARNING)
    problems = fixture_problems(scenarios)
    for problem in problems:
        print(f"error: fixture of {problem}", file=sys.stderr)
    if problems:
        return 2
    print(f"{len(scenarios)} scenario files are valid.")
    return 0
