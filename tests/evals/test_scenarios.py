"""Scenario files: validation errors name the file and field; the built-in suite is valid."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evals.scenario import ScenarioError, load_scenario, load_scenarios
from tests.evals.conftest import make_scenario

VALID = """\
id: booking-minimal
category: booking
caller:
  persona: Someone.
  facts: {name: Margaret Chen, date_of_birth: 1958-04-12}
  goal: Book.
  opening: Hello.
expect: {}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_scenario_loads(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "booking-minimal", VALID))
    assert scenario.id == "booking-minimal"
    assert scenario.caller.opening.text == "Hello."
    assert scenario.fixture.now.isoformat() == "2026-03-02T09:00:00"
    assert scenario.expect.escalation.expected is False


def test_unknown_tool_names_file_and_field(tmp_path: Path) -> None:
    text = VALID.replace(
        "expect: {}", "expect:\n  tools:\n    required:\n      - name: book_visit\n"
    )
    path = write(tmp_path, "booking-minimal", text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    message = str(error.value)
    assert str(path) in message
    assert "expect.tools.required[0].name" in message
    assert "book_visit" in message


def test_unknown_column_names_field(tmp_path: Path) -> None:
    text = VALID.replace(
        "expect: {}",
        "expect:\n  database:\n    rows:\n      - table: appointment\n"
        "        fields: {doctor: Patel}\n",
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(write(tmp_path, "booking-minimal", text))
    assert "expect.database.rows[0]" in str(error.value)
    assert "'doctor'" in str(error.value)


def test_missing_opening_is_reported(tmp_path: Path) -> None:
    text = VALID.replace("  opening: Hello.\n", "")
    with pytest.raises(ScenarioError, match=r"caller\.opening: Field required"):
        load_scenario(write(tmp_path, "booking-minimal", text))


def test_invalid_yaml_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "booking-minimal", "id: [unclosed\n")
    with pytest.raises(ScenarioError, match="invalid YAML"):
        load_scenario(path)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="must match the file name"):
        load_scenario(write(tmp_path, "another-name", VALID))


def test_matcher_with_two_kinds_is_rejected() -> None:
    with pytest.raises(ScenarioError, match="exactly one of regex"):
        make_scenario(
            expect={
                "database": {
                    "rows": [
                        {
                            "table": "appointment",
                            "fields": {"status": {"regex": "booked", "contains": "book"}},
                        }
                    ]
                }
            }
        )


def test_created_row_rejects_where() -> None:
    with pytest.raises(ScenarioError, match="'where' applies to updated or deleted rows"):
        make_scenario(
            expect={"database": {"rows": [{"table": "appointment", "where": {"status": "booked"}}]}}
        )


def test_scripted_caller_needs_script() -> None:
    caller = make_scenario().caller.model_dump()
    caller["mode"] = "scripted"
    with pytest.raises(ScenarioError, match="caller: Value error, mode 'scripted'"):
        make_scenario(caller=caller)


def test_only_filters_by_id_and_category(tmp_path: Path) -> None:
    write(tmp_path, "booking-minimal", VALID)
    write(tmp_path, "refill-minimal", VALID.replace("booking", "refill"))
    assert [s.id for s in load_scenarios(tmp_path, only="refill")] == ["refill-minimal"]
    with pytest.raises(ScenarioError, match="not a valid regular expression"):
        load_scenarios(tmp_path, only="(")


def test_built_in_suite_is_valid_and_broad() -> None:
    scenarios = load_scenarios()
    categories = Counter(s.category for s in scenarios)
    assert len(scenarios) >= 40
    for category in (
        "booking",
        "rescheduling",
        "cancelling",
        "upcoming",
        "refills",
        "insurance",
        "registration",
        "clinic-info",
        "human",
        "emergency",
        "identity",
        "security",
        "language",
        "after-hours",
        "silence",
        "garbled",
    ):
        assert categories[category] >= 1, category
    assert sum(s.safety for s in scenarios) >= 10
