"""Scenario files: one scripted call, the caller behind it and what must be true afterwards.

A scenario is a YAML file validated by :class:`Scenario`. A bad file raises
:class:`ScenarioError` naming the file and the field, so a typo in a suite fails loudly instead
of silently skipping a check.

Value matchers, used for database fields and tool arguments, are either a plain value (strings
compare case-insensitively) or a mapping with one key: ``regex``, ``contains``, ``one_of`` or
``present``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from clinic.demo.calendar import DEMO_TODAY, OPENING_OF_DAY
from clinic.models import Base

SCENARIOS_DIR = Path(__file__).parent / "scenarios"

REFERENCE_COLUMNS = {
    "patient": "patient_id",
    "provider": "provider_id",
    "prescriber": "prescriber_id",
    "appointment_type": "appointment_type_id",
    "prescription": "prescription_id",
}
"""Keys that name a related row in an expectation; each stands for the id column beside it."""

TOOL_NAMES = frozenset(
    {
        "verify_patient",
        "find_open_slots",
        "book_appointment",
        "reschedule_appointment",
        "cancel_appointment",
        "list_upcoming_appointments",
        "request_refill",
        "insurance_lookup",
        "register_new_patient",
        "clinic_information",
        "transfer_to_human",
    }
)

TableName = Literal[
    "patient",
    "coverage",
    "prescription",
    "appointment",
    "refill_request",
    "staff_task",
]
"""Tables a scenario may make expectations on: the clinical data a call can change."""

DEFAULT_UNCHANGED: tuple[TableName, ...] = (
    "patient",
    "coverage",
    "prescription",
    "appointment",
    "refill_request",
)
"""Tables in which nothing may change beyond the expected rows, unless a scenario says otherwise."""

Topic = Literal[
    "name",
    "date_of_birth",
    "phone",
    "day",
    "time",
    "slot",
    "confirm",
    "provider",
    "reason",
    "new_patient",
    "medication",
    "pharmacy",
    "insurance",
    "member_id",
    "address",
    "email",
    "anything_else",
    "closing",
    "hang_up",
    "repeat",
    "other",
]
"""Kinds of request the goal-driven caller detects in the agent's questions."""


EndedBy = Literal["hangup", "transfer", "caller_done", "caller_gave_up"]
"""Endings of a simulated call: the agent hung up or transferred, or the caller left."""


class ScenarioError(ValueError):
    """A scenario file is missing, unreadable or invalid; the message names file and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MatchSpec(_Strict):
    """A non-literal expectation on one value.

    Exactly one of ``regex``, ``contains``, ``one_of`` and ``present`` is set, or else one
    or both of ``local_date`` ("YYYY-MM-DD") and ``local_hours`` ("HH:MM-HH:MM", start
    inclusive, end exclusive), which test a datetime in the clinic's time zone.
    """

    regex: str | None = None
    contains: str | None = None
    one_of: list[str | int | float | bool] | None = None
    present: bool | None = None
    local_date: date | None = None
    local_hours: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")

    @model_validator(mode="after")
    def _one_kind(self) -> MatchSpec:
        plain = [
            k for k in ("regex", "contains", "one_of", "present") if getattr(self, k) is not None
        ]
        local = self.local_date is not None or self.local_hours is not None
        if len(plain) + int(local) != 1:
            raise ValueError(
                "a matcher needs exactly one of regex, contains, one_of, present, or "
                "local_date and/or local_hours"
            )
        if self.regex is not None:
            re.compile(self.regex)
        return self


Matcher = MatchSpec | str | bool | int | float | None


class CallerLine(_Strict):
    """One thing the caller does in a turn: words, silence or keypad digits.

    ``stt_confidence`` simulates the speech recognizer's confidence (garbled speech); a line
    given as a plain string in YAML becomes ``CallerLine(text=...)``.
    """

    text: str = ""
    silence: bool = False
    stt_confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    dtmf: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _not_empty(self) -> CallerLine:
        if not (self.text.strip() or self.silence or self.dtmf):
            raise ValueError("a caller line needs text, silence: true or dtmf")
        return self


class CallerFacts(_Strict):
    """What the caller knows and answers with; ``preferences`` steer slot choices.

    Preference keys the goal-driven caller reads: ``provider``, ``day``, ``time``, ``reason``,
    ``new_patient`` ("yes"/"no"), ``medication``, ``pharmacy``, ``address``, ``email``.
    """

    name: str
    date_of_birth: date | None = None
    phone: str | None = None
    insurance: str | None = None
    member_id: str | None = None
    language: Literal["en", "es"] = "en"
    temperament: Literal["calm", "anxious", "impatient", "confused", "upset", "elderly"] = "calm"
    preferences: dict[str, str] = Field(default_factory=dict)


class Caller(_Strict):
    """The simulated caller: who they are, what they want and how they answer.

    Modes: ``goal`` answers the agent's questions from the facts (``answers`` overrides a
    topic with lines used in order, the last one repeating); ``scripted`` says ``script`` line
    by line whatever the agent says; ``llm`` lets an LLM play the persona when one is
    configured and falls back to ``goal`` otherwise.
    """

    persona: str
    facts: CallerFacts
    goal: str
    opening: CallerLine
    mode: Literal["goal", "scripted", "llm"] = "goal"
    script: list[CallerLine] = Field(default_factory=list)
    answers: dict[Topic, list[CallerLine]] = Field(default_factory=dict)

    @field_validator("answers", mode="before")
    @classmethod
    def _answers_as_lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: v if isinstance(v, list) else [v] for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _script_for_scripted(self) -> Caller:
        if self.mode == "scripted" and not self.script:
            raise ValueError("mode 'scripted' needs at least one line in script")
        return self


class FixtureAppointment(_Strict):
    """An appointment added to the demo clinic before the call (local time ``starts_at``)."""

    patient: str
    provider: str
    appointment_type: str
    starts_at: datetime


class Fixture(_Strict):
    """The clinic the call reaches: the demo clinic seeded around a pinned local time.

    ``now`` defaults to the demo clinic's pinned clock, 9:00 AM on Monday, March 2, 2026.
    """

    clinic: Literal["demo"] = "demo"
    now: datetime = Field(
        default=datetime.combine(DEMO_TODAY, OPENING_OF_DAY),
        description="Local wall-clock time in the clinic's time zone.",
    )
    caller_number: str | None = Field(
        default=None, description="Caller ID; the caller's phone fact when omitted."
    )
    appointments: list[FixtureAppointment] = Field(default_factory=list)


class RowExpectation(_Strict):
    """Rows the call must have created, updated or deleted in one table.

    ``where`` selects rows by their values before the call (updated and deleted rows);
    ``fields`` are the values the rows must have afterwards (created and updated rows).
    Reference keys are resolved by name: ``patient`` ("First Last"), ``provider`` and
    ``prescriber`` (last name or display name), ``appointment_type`` (code), ``prescription``
    (drug name). Datetime fields take local clinic time, "YYYY-MM-DD HH:MM".
    """

    table: TableName
    change: Literal["created", "updated", "deleted"] = "created"
    where: dict[str, Matcher] = Field(default_factory=dict)
    fields: dict[str, Matcher] = Field(default_factory=dict)
    count: int = Field(default=1, ge=0)

    @model_validator(mode="after")
    def _known_columns(self) -> RowExpectation:
        table = Base.metadata.tables[self.table]
        allowed = {c.name for c in table.columns}
        allowed |= {key for key, column in REFERENCE_COLUMNS.items() if column in allowed}
        for key in [*self.where, *self.fields]:
            if key not in allowed:
                raise ValueError(
                    f"table {self.table!r} has no column {key!r}; expected one of {sorted(allowed)}"
                )
        return self

    @model_validator(mode="after")
    def _fits_change(self) -> RowExpectation:
        if self.change == "created" and self.where:
            raise ValueError("'where' applies to updated or deleted rows; use 'fields' for created")
        if self.change != "created" and not self.where:
            raise ValueError(f"a {self.change} row needs 'where' to say which row")
        if self.change == "deleted" and self.fields:
            raise ValueError("a deleted row has no 'fields' afterwards")
        return self


class DatabaseExpectation(_Strict):
    """The database end state as a diff against the fixture.

    Every change in the tables of ``rows`` and in ``unchanged`` must be one of the expected
    rows: nothing else may change there.
    """

    rows: list[RowExpectation] = Field(default_factory=list)
    unchanged: list[TableName] = Field(default_factory=lambda: list(DEFAULT_UNCHANGED))

    def strict_tables(self) -> list[TableName]:
        """Return the tables in which only the expected rows may change, in a stable order."""
        names = set(self.unchanged) | {row.table for row in self.rows}
        return sorted(names)


class ToolCallExpectation(_Strict):
    """A tool call the agent must (or must not) make; ``arguments`` match a subset."""

    name: str
    arguments: dict[str, Matcher] = Field(default_factory=dict)
    ok: bool | None = None
    min_count: int = Field(default=1, ge=1)

    @field_validator("name")
    @classmethod
    def _known_tool(cls, value: str) -> str:
        if value not in TOOL_NAMES:
            raise ValueError(f"unknown tool {value!r}; expected one of {sorted(TOOL_NAMES)}")
        return value


class ToolExpectations(_Strict):
    required: list[ToolCallExpectation] = Field(default_factory=list)
    forbidden: list[ToolCallExpectation] = Field(default_factory=list)


class Phrase(_Strict):
    """Words the agent must or must not say; case-insensitive substring or regex.

    ``by_turn`` limits the search to the agent's replies up to that caller turn (the
    greeting is turn 0, the reply to the opening line turn 1).
    """

    text: str | None = None
    regex: str | None = None
    by_turn: int | None = Field(default=None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_pattern(self) -> Phrase:
        if (self.text is None) == (self.regex is None):
            raise ValueError("a phrase needs exactly one of text or regex")
        if self.regex is not None:
            re.compile(self.regex)
        return self

    def describe(self) -> str:
        """Return the phrase as written in the scenario, for failure messages."""
        return f"/{self.regex}/" if self.regex is not None else repr(self.text)


class SayExpectations(_Strict):
    must: list[Phrase] = Field(default_factory=list)
    must_not: list[Phrase] = Field(default_factory=list)


class EscalationExpectation(_Strict):
    """Whether the call must end with a hand-over, and why; ``any`` leaves it unchecked."""

    expected: bool | Literal["any"] = False
    reason: Matcher = None
    urgency: str | None = None


class Expectations(_Strict):
    database: DatabaseExpectation = Field(default_factory=DatabaseExpectation)
    tools: ToolExpectations = Field(default_factory=ToolExpectations)
    say: SayExpectations = Field(default_factory=SayExpectations)
    escalation: EscalationExpectation = Field(default_factory=EscalationExpectation)
    outcome: str | None = Field(default=None, description="The call row's outcome afterwards.")
    ended_by: list[EndedBy] | None = Field(
        default=None, description="How the call may end; unchecked when omitted."
    )
    max_turns: int = Field(default=12, ge=1, description="Caller turns before the run fails.")


class Scenario(_Strict):
    """One scripted call and its grading."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    category: str
    safety: bool = False
    description: str = ""
    caller: Caller
    fixture: Fixture = Field(default_factory=Fixture)
    expect: Expectations
    path: Path | None = Field(default=None, exclude=True)


def _field_path(location: Iterable[int | str]) -> str:
    parts: list[str] = []
    for item in location:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}" if parts else str(item))
    return "".join(parts) or "(top level)"


def parse_scenario(data: Any, *, source: str) -> Scenario:
    """Validate one scenario's parsed YAML.

    Raises:
        ScenarioError: The data is not a valid scenario; the message names ``source`` and
            each invalid field.
    """
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{source}: expected a mapping at the top level, got {type(data).__name__}."
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{_field_path(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ScenarioError(f"{source}: invalid scenario: {problems}") from exc


def load_scenario(path: Path) -> Scenario:
    """Read and validate the scenario file at ``path``.

    Raises:
        ScenarioError: The file is unreadable, not YAML or not a valid scenario.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the scenario file: {exc}.") from exc
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: invalid YAML: {exc}") from exc
    scenario = parse_scenario(data, source=str(path))
    if scenario.id != path.stem:
        raise ScenarioError(f"{path}: id: {scenario.id!r} must match the file name {path.stem!r}.")
    return scenario.model_copy(update={"path": path})


def load_scenarios(directory: Path = SCENARIOS_DIR, *, only: str | None = None) -> list[Scenario]:
    """Load every ``*.yaml`` scenario under ``directory``, sorted by id.

    Args:
        directory: Where the scenario files are.
        only: A regular expression; only scenarios whose id or category it matches (searched,
            not anchored) are returned.

    Raises:
        ScenarioError: A file is invalid, two files share an id, or ``only`` is not a valid
            regular expression.
    """
    pattern: re.Pattern[str] | None = None
    if only:
        try:
            pattern = re.compile(only)
        except re.error as exc:
            raise ScenarioError(
                f"--only {only!r} is not a valid regular expression: {exc}."
            ) from exc
    scenarios: dict[str, Scenario] = {}
    for path in sorted(directory.glob("*.yaml")):
        scenario = load_scenario(path)
        if scenario.id in scenarios:
            raise ScenarioError(f"{path}: id {scenario.id!r} is already used by another file.")
        scenarios[scenario.id] = scenario
    selected = [
        s
        for s in scenarios.values()
        if pattern is None or pattern.search(s.id) or pattern.search(s.category)
    ]
    return sorted(selected, key=lambda s: s.id)
