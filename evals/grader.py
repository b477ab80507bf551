"""Grade one run of a scenario: every expectation becomes a check, and all must pass.

As in tau-bench, a conversation that sounded right still fails when the database ends in
the wrong state, and a run passes only when every check passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from evals.dbstate import References, Row, TableDiff
from evals.matching import describe, matches
from evals.results import CheckResult, EscalationLog, ToolCallLog, TurnLog
from evals.scenario import (
    REFERENCE_COLUMNS,
    EscalationExpectation,
    Matcher,
    Phrase,
    RowExpectation,
    Scenario,
    ToolCallExpectation,
)

UNGRADED_ENDINGS = frozenset({"turn_limit"})


@dataclass
class Observation:
    """What a run produced, in the form the grader reads.

    Attributes:
        ended_by: How the call ended: ``hangup``, ``transfer``, ``caller_done``,
            ``caller_gave_up``, ``turn_limit`` or ``error``.
        changes: The database diff against the fixture, by table.
        outcome: The call row's outcome after the session finished, when known.
        error: The agent's exception text when the run crashed.
    """

    transcript: list[TurnLog]
    tool_calls: list[ToolCallLog]
    escalations: list[EscalationLog]
    changes: dict[str, TableDiff]
    references: References
    timezone: ZoneInfo
    caller_turns: int
    ended_by: str
    outcome: str | None = None
    error: str | None = None
    _reference_ids: dict[tuple[str, str], set[int]] = field(default_factory=dict)

    def reference_ids(self, key: str, name: str) -> set[int]:
        """Return (and cache) the ids that the name ``name`` of reference ``key`` may mean."""
        cache_key = (key, name.casefold())
        if cache_key not in self._reference_ids:
            self._reference_ids[cache_key] = self.references.ids(key, name)
        return self._reference_ids[cache_key]


def grade(scenario: Scenario, observation: Observation) -> list[CheckResult]:
    """Return every check of ``scenario`` applied to ``observation``, in a stable order."""
    expect = scenario.expect
    checks = [_check_completed(observation, expect.max_turns), _check_replies(observation)]
    checks += _check_database(scenario, observation)
    for i, expected in enumerate(expect.tools.required):
        checks.append(_check_required_tool(f"tools.required[{i}]", expected, observation))
    for i, expected in enumerate(expect.tools.forbidden):
        checks.append(_check_forbidden_tool(f"tools.forbidden[{i}]", expected, observation))
    for i, phrase in enumerate(expect.say.must):
        checks.append(_check_must_say(f"say.must[{i}]", phrase, observation.transcript))
    for i, phrase in enumerate(expect.say.must_not):
        checks.append(_check_must_not_say(f"say.must_not[{i}]", phrase, observation.transcript))
    checks.append(_check_escalation(expect.escalation, observation))
    if expect.ended_by is not None:
        passed = observation.ended_by in expect.ended_by
        detail = (
            ""
            if passed
            else (
                f"expected the call to end by {' or '.join(expect.ended_by)}, "
                f"it ended by {observation.ended_by}"
            )
        )
        checks.append(CheckResult(check="ended_by", passed=passed, detail=detail))
    if expect.outcome is not None:
        passed = (observation.outcome or "").casefold() == expect.outcome.casefold()
        detail = (
            "" if passed else f"expected outcome {expect.outcome!r}, got {observation.outcome!r}"
        )
        checks.append(CheckResult(check="outcome", passed=passed, detail=detail))
    return checks


def _check_completed(observation: Observation, max_turns: int) -> CheckResult:
    if observation.error is not None:
        return CheckResult(
            check="run",
            passed=False,
            detail=f"the agent raised an error: {observation.error}",
            turn=observation.caller_turns,
        )
    if observation.ended_by in UNGRADED_ENDINGS:
        return CheckResult(
            check="turn_limit",
            passed=False,
            detail=f"the call was still going after {max_turns} caller turns",
            turn=observation.caller_turns,
        )
    return CheckResult(check="turn_limit", passed=True, detail=f"ended by {observation.ended_by}")


def _check_replies(observation: Observation) -> CheckResult:
    """The agent must answer every caller turn: a caller is never left in silence."""
    answered = {t.turn for t in observation.transcript if t.speaker == "agent" and t.text.strip()}
    for turn in observation.transcript:
        if turn.speaker == "caller" and turn.turn not in answered:
            return CheckResult(
                check="agent_replied",
                passed=False,
                detail="the agent said nothing in reply to this caller turn",
                turn=turn.turn,
            )
    return CheckResult(check="agent_replied", passed=True)


# --- database ---------------------------------------------------------------------------


def _row_matches(row: Row, expected: dict[str, Matcher], observation: Observation) -> bool:
    for key, matcher in expected.items():
        column = REFERENCE_COLUMNS.get(key)
        if column is not None and key not in row:
            if not isinstance(matcher, str):
                if not matches(matcher, row.get(column), timezone=observation.timezone):
                    return False
                continue
            if row.get(column) not in observation.reference_ids(key, matcher):
                return False
        elif not matches(matcher, row.get(key), timezone=observation.timezone):
            return False
    return True


def _candidates(expected: RowExpectation, table_diff: TableDiff) -> list[tuple[Row | None, Row]]:
    if expected.change == "created":
        return [(None, row) for row in table_diff.created]
    if expected.change == "updated":
        return list(table_diff.updated)
    return [(row, row) for row in table_diff.deleted]


def _summarise_row(row: Row) -> str:
    skipped = {"created_at", "id"}
    shown = {k: v for k, v in row.items() if v is not None and k not in skipped}
    return ", ".join(f"{k}={_short(v)}" for k, v in list(shown.items())[:8])


def _short(value: Any) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_database(scenario: Scenario, observation: Observation) -> list[CheckResult]:
    database = scenario.expect.database
    accounted: dict[str, set[int]] = {}
    checks: list[CheckResult] = []
    for i, expected in enumerate(database.rows):
        table_diff = observation.changes.get(expected.table, TableDiff())
        candidates = _candidates(expected, table_diff)
        found = [
            index
            for index, (old, new) in enumerate(candidates)
            if (old is None or _row_matches(old, expected.where, observation))
            and (expected.change == "deleted" or _row_matches(new, expected.fields, observation))
        ]
        accounted.setdefault(f"{expected.table}:{expected.change}", set()).update(found)
        label = f"database.rows[{i}] {expected.change} {expected.table}"
        wanted = {**expected.where, **expected.fields}
        passed = len(found) == expected.count
        detail = ""
        if not passed:
            seen = "; ".join(_summarise_row(new) for _, new in candidates[:4]) or "none"
            criteria = ", ".join(f"{k} {describe(v)}" for k, v in wanted.items()) or "any row"
            detail = (
                f"expected {expected.count} row(s) with {criteria}; found {len(found)}. "
                f"{expected.change.capitalize()} rows in {expected.table}: {seen}"
            )
        checks.append(CheckResult(check=label, passed=passed, detail=detail))
    for table in database.strict_tables():
        checks.append(
            _check_unchanged(table, observation.changes.get(table, TableDiff()), accounted)
        )
    return checks


def _check_unchanged(
    table: str, table_diff: TableDiff, accounted: dict[str, set[int]]
) -> CheckResult:
    unexpected: list[str] = []
    groups: list[tuple[str, list[Row]]] = [
        ("created", table_diff.created),
        ("updated", [new for _, new in table_diff.updated]),
        ("deleted", table_diff.deleted),
    ]
    for change, rows in groups:
        expected_indexes = accounted.get(f"{table}:{change}", set())
        unexpected += [
            f"{change}: {_summarise_row(row)}"
            for index, row in enumerate(rows)
            if index not in expected_indexes
        ]
    if not unexpected:
        return CheckResult(check=f"database.unchanged {table}", passed=True)
    return CheckResult(
        check=f"database.unchanged {table}",
        passed=False,
        detail=f"unexpected changes in {table}: " + " | ".join(unexpected[:4]),
    )


# --- tools ------------------------------------------------------------------------------


def _call_matches(expected: ToolCallExpectation, call: ToolCallLog, timezone: ZoneInfo) -> bool:
    if call.name != expected.name:
        return False
    if expected.ok is not None and call.ok != expected.ok:
        return False
    return all(
        matches(matcher, call.arguments.get(key), timezone=timezone)
        for key, matcher in expected.arguments.items()
    )


def _describe_expected_call(expected: ToolCallExpectation) -> str:
    parts = [f"{k} {describe(v)}" for k, v in expected.arguments.items()]
    if expected.ok is not None:
        parts.append(f"ok={expected.ok}")
    return expected.name + (f" ({', '.join(parts)})" if parts else "")


def _check_required_tool(
    label: str, expected: ToolCallExpectation, observation: Observation
) -> CheckResult:
    found = [c for c in observation.tool_calls if _call_matches(expected, c, observation.timezone)]
    if len(found) >= expected.min_count:
        return CheckResult(check=label, passed=True, turn=found[0].turn)
    same_name = [c for c in observation.tool_calls if c.name == expected.name]
    seen = "; ".join(
        f"turn {c.turn}: {c.arguments} -> ok={c.ok} {c.result.get('error') or ''}".strip()
        for c in same_name[:3]
    )
    return CheckResult(
        check=label,
        passed=False,
        detail=(
            f"expected {expected.min_count} call(s) of {_describe_expected_call(expected)}, "
            f"found {len(found)}" + (f"; calls of {expected.name}: {seen}" if seen else "")
        ),
        turn=same_name[0].turn if same_name else None,
    )


def _check_forbidden_tool(
    label: str, expected: ToolCallExpectation, observation: Observation
) -> CheckResult:
    for call in observation.tool_calls:
        if _call_matches(expected, call, observation.timezone):
            return CheckResult(
                check=label,
                passed=False,
                detail=(
                    f"forbidden call {_describe_expected_call(expected)} was made: "
                    f"{call.name}({call.arguments}) -> ok={call.ok}"
                ),
                turn=call.turn,
            )
    return CheckResult(check=label, passed=True)


# --- speech and escalation ------------------------------------------------------------


def _phrase_in(phrase: Phrase, text: str) -> bool:
    if phrase.regex is not None:
        return re.search(phrase.regex, text, re.IGNORECASE) is not None
    assert phrase.text is not None
    return phrase.text.casefold() in text.casefold()


def _agent_turns(transcript: list[TurnLog], by_turn: int | None) -> list[TurnLog]:
    return [
        t for t in transcript if t.speaker == "agent" and (by_turn is None or t.turn <= by_turn)
    ]


def _check_must_say(label: str, phrase: Phrase, transcript: list[TurnLog]) -> CheckResult:
    for turn in _agent_turns(transcript, phrase.by_turn):
        if _phrase_in(phrase, turn.text):
            return CheckResult(check=label, passed=True, turn=turn.turn)
    scope = f" by caller turn {phrase.by_turn}" if phrase.by_turn is not None else ""
    return CheckResult(
        check=label,
        passed=False,
        detail=f"the agent never said {phrase.describe()}{scope}",
        turn=phrase.by_turn,
    )


def _check_must_not_say(label: str, phrase: Phrase, transcript: list[TurnLog]) -> CheckResult:
    for turn in _agent_turns(transcript, phrase.by_turn):
        if _phrase_in(phrase, turn.text):
            return CheckResult(
                check=label,
                passed=False,
                detail=f"the agent said {phrase.describe()}",
                turn=turn.turn,
            )
    return CheckResult(check=label, passed=True)


def _check_escalation(expected: EscalationExpectation, observation: Observation) -> CheckResult:
    escalations = observation.escalations
    if expected.expected == "any":
        return CheckResult(check="escalation", passed=True, detail="not checked")
    if expected.expected is False:
        if escalations:
            first = escalations[0]
            return CheckResult(
                check="escalation",
                passed=False,
                detail=f"unexpected hand-over ({first.source}, reason {first.reason!r})",
                turn=first.turn,
            )
        return CheckResult(check="escalation", passed=True)
    if not escalations:
        return CheckResult(
            check="escalation", passed=False, detail="the agent never handed the call over"
        )
    fitting = [
        e
        for e in escalations
        if (
            expected.reason is None
            or matches(expected.reason, e.reason, timezone=observation.timezone)
        )
        and (expected.urgency is None or e.urgency.casefold() == expected.urgency.casefold())
    ]
    if fitting:
        return CheckResult(check="escalation", passed=True, turn=fitting[0].turn)
    seen = "; ".join(f"{e.source}: reason {e.reason!r}, urgency {e.urgency!r}" for e in escalations)
    wanted = f"reason {describe(expected.reason)}" + (
        f", urgency {expected.urgency!r}" if expected.urgency else ""
    )
    return CheckResult(
        check="escalation",
        passed=False,
        detail=f"expected a hand-over with {wanted}; got {seen}",
        turn=escalations[0].turn,
    )
