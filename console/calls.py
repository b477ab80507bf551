"""Queries behind the calls list and the call detail page."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from clinic.models import Call, CallOutcome, Clinic, Patient, ToolCallRecord, TranscriptTurn

PAGE_SIZE = 25

UNRESOLVED_OUTCOMES = frozenset(
    {
        CallOutcome.TRANSFERRED,
        CallOutcome.MESSAGE_TAKEN,
        CallOutcome.EMERGENCY,
        CallOutcome.ABANDONED,
        CallOutcome.DROPPED,
        CallOutcome.FAILED,
    }
)
"""Ended calls in which the agent did not finish what the caller needed: staff follow up."""

_DIGITS = re.compile(r"\d")


def clinic_zone(db: Session) -> ZoneInfo:
    """Return the clinic's time zone, or UTC before a clinic is configured."""
    name = db.scalar(select(Clinic.timezone).order_by(Clinic.id).limit(1))
    return ZoneInfo(name) if name else ZoneInfo("UTC")


def local_day_bounds(day: Any, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the UTC instants at which the clinic-local ``day`` starts and ends."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


@dataclass(frozen=True)
class CallFilters:
    """The calls list's filters, parsed from the query string."""

    today: bool = False
    escalated: bool = False
    unresolved: bool = False
    flagged: bool = False
    outcome: CallOutcome | None = None
    search: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> CallFilters:
        """Parse query parameters leniently: unknown or malformed values are ignored."""
        outcome_value = params.get("outcome", "")
        known = outcome_value in CallOutcome._value2member_map_
        outcome = CallOutcome(outcome_value) if known else None
        try:
            page = max(1, int(params.get("page", "1")))
        except ValueError:
            page = 1
        return cls(
            today=params.get("today") == "1",
            escalated=params.get("escalated") == "1",
            unresolved=params.get("unresolved") == "1",
            flagged=params.get("flagged") == "1",
            outcome=outcome,
            search=params.get("q", "").strip()[:100],
            page=page,
        )

    def query_params(self, **changes: Any) -> dict[str, str]:
        """Return these filters as query parameters, with ``changes`` applied, for links."""
        values: dict[str, Any] = {
            "today": self.today,
            "escalated": self.escalated,
            "unresolved": self.unresolved,
            "flagged": self.flagged,
            "outcome": self.outcome.value if self.outcome else "",
            "q": self.search,
            "page": self.page,
        }
        values.update(changes)
        params: dict[str, str] = {}
        for key, value in values.items():
            if value is True:
                params[key] = "1"
            elif value and not (key == "page" and value == 1):
                params[key] = str(value)
        return params


@dataclass
class CallPage:
    """One page of the calls list."""

    calls: list[Call]
    total: int
    page: int
    pages: int
    patient_ids: list[int] = field(default_factory=list)


def _digits_only(column: Any) -> Any:
    # Portable across SQLite and PostgreSQL, which share no regex-replace function.
    stripped = column
    for char in ("+", "-", " ", "(", ")", "."):
        stripped = func.replace(stripped, char, "")
    return stripped


def _search_condition(search: str) -> ColumnElement[bool]:
    digits = "".join(_DIGITS.findall(search))
    letters = re.sub(r"[\d+()\-.]", " ", search).split()
    conditions: list[ColumnElement[bool]] = []
    if len(digits) >= 3:
        conditions.append(_digits_only(Call.from_number).contains(digits, autoescape=True))
        conditions.append(_digits_only(Patient.phone).contains(digits, autoescape=True))
    if letters:
        # Every word must match the first or last name: "ana garcia" finds Ana Garcia.
        words = [
            or_(
                Patient.first_name.icontains(word, autoescape=True),
                Patient.last_name.icontains(word, autoescape=True),
            )
            for word in letters
        ]
        conditions.append(and_(*words))
    if not conditions:
        return Call.id == -1
    return or_(*conditions)


def filtered_calls(filters: CallFilters, *, zone: ZoneInfo, now: datetime) -> Select[Any]:
    """Build the calls-list query for ``filters``, newest call first."""
    query = select(Call).outerjoin(Patient, Call.patient_id == Patient.id)
    if filters.today:
        start, end = local_day_bounds(now.astimezone(zone).date(), zone)
        query = query.where(Call.started_at >= start, Call.started_at < end)
    if filters.escalated:
        query = query.where(Call.escalated.is_(True))
    if filters.unresolved:
        query = query.where(Call.outcome.in_(UNRESOLVED_OUTCOMES))
    if filters.flagged:
        query = query.where(Call.flagged.is_(True))
    if filters.outcome is not None:
        query = query.where(Call.outcome == filters.outcome)
    if filters.search:
        query = query.where(_search_condition(filters.search))
    return query.order_by(Call.started_at.desc(), Call.id.desc())


def list_calls(db: Session, filters: CallFilters, *, zone: ZoneInfo, now: datetime) -> CallPage:
    """Return the page of calls that ``filters`` select."""
    query = filtered_calls(filters, zone=zone, now=now)
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(filters.page, pages)
    calls = list(
        db.scalars(
            query.options(selectinload(Call.patient))
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    patient_ids = sorted({c.patient_id for c in calls if c.patient_id is not None})
    return CallPage(calls=calls, total=total, page=page, pages=pages, patient_ids=patient_ids)


def load_call(db: Session, call_id: int) -> Call | None:
    """Load a call with its patient, transcript and tool calls."""
    return db.scalar(
        select(Call)
        .where(Call.id == call_id)
        .options(
            selectinload(Call.patient),
            selectinload(Call.turns),
            selectinload(Call.tool_calls),
        )
    )


@dataclass(frozen=True)
class TimelineEntry:
    """A transcript turn or a tool call, placed on the call's timeline."""

    at: datetime
    offset_seconds: float
    turn: TranscriptTurn | None = None
    tool_call: ToolCallRecord | None = None


def _order_key(entry: TimelineEntry) -> tuple[datetime, int, int]:
    # At equal times the caller speaks, then tools run, then the agent replies.
    if entry.turn is not None:
        rank = 0 if entry.turn.speaker == "caller" else 2
        return entry.at, rank, entry.turn.seq
    assert entry.tool_call is not None
    return entry.at, 1, entry.tool_call.seq


def call_timeline(call: Call) -> list[TimelineEntry]:
    """Merge the transcript and the tool calls into one list in time order."""
    entries = [
        TimelineEntry(at=t.at, offset_seconds=(t.at - call.started_at).total_seconds(), turn=t)
        for t in call.turns
    ]
    entries += [
        TimelineEntry(at=r.at, offset_seconds=(r.at - call.started_at).total_seconds(), tool_call=r)
        for r in call.tool_calls
    ]
    return sorted(entries, key=_order_key)


LATENCY_LABELS = {
    "speech_end_ms": "end of speech",
    "transcript_ms": "transcript",
    "first_text_ms": "first text",
    "first_audio_ms": "first audio",
}


def latency_items(latency: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Return a turn's latency figures as ``(label, "123 ms")`` pairs in a stable order."""
    if not latency:
        return []
    keys = [k for k in LATENCY_LABELS if k in latency]
    keys += sorted(k for k in latency if k not in LATENCY_LABELS)
    items: list[tuple[str, str]] = []
    for key in keys:
        value = latency[key]
        if isinstance(value, int | float):
            label = LATENCY_LABELS.get(key, key.removesuffix("_ms").replace("_", " "))
            items.append((label, f"{value:.0f} ms"))
    return items
