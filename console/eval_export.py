"""Turn a flagged call into the skeleton of an eval scenario file (see ``evals/scenario.py``).

The skeleton replays the caller's side of the transcript as a scripted caller against the
demo clinic at the call's local time. Expectations are left empty with commented hints,
because only a person can judge what the agent should have done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from clinic.models import Call

LOW_STT_CONFIDENCE = 0.6
"""Caller lines recognised below this confidence keep it, so the eval replays them as unclear."""

_HEADER = """\
# Eval scenario skeleton exported from call {call_id} by the staff console on {exported}.
# WARNING: this file may contain a real patient's name, date of birth and words. Replace them
# with a demo clinic patient's details before the file leaves the clinic or enters a repository.
# TODO: give the scenario a meaningful id (it must match the file name) and category.
"""

_EXPECT_HINTS = """\
# TODO: state what must be true after the call. For example:
#   database:
#     rows:
#       - table: appointment
#         fields: {patient: "First Last", starts_at: "YYYY-MM-DD HH:MM"}
#   tools:
#     required: [{name: verify_patient}]
#     forbidden: [{name: cancel_appointment}]
#   say:
#     must: ["..."]
#     must_not: ["..."]
#   escalation: {expected: true}
#   outcome: resolved
expect: {}
"""


def scenario_id(call: Call) -> str:
    """Return the skeleton's scenario id, which is also its file name without ``.yaml``."""
    return f"call-{call.id}-review"


def _caller_lines(call: Call) -> list[str | dict[str, Any]]:
    lines: list[str | dict[str, Any]] = []
    for turn in call.turns:
        text = turn.text.strip()
        if turn.speaker != "caller" or not text:
            continue
        confidence = turn.stt_confidence
        if confidence is not None and confidence < LOW_STT_CONFIDENCE:
            lines.append({"text": text, "stt_confidence": round(confidence, 2)})
        else:
            lines.append(text)
    return lines


def _caller_facts(call: Call) -> dict[str, Any]:
    patient = call.patient
    if patient is None:
        # Not verified in the call: the transcript is all there is to go on.
        return {"name": "TODO the caller's name"}
    return {"name": patient.full_name, "date_of_birth": patient.date_of_birth.isoformat()}


def _description(call: Call) -> str:
    note = call.flag_note.strip() if call.flag_note else ""
    parts = [f"Flagged by staff: {note}" if note else "Flagged by staff."]
    if call.reason:
        parts.append(f"Reason for the call: {call.reason}.")
    parts.append(f"Outcome: {call.outcome.value}.")
    return " ".join(parts)


def scenario_skeleton(call: Call, *, zone: ZoneInfo, exported_at: datetime) -> str:
    """Render a flagged call as a YAML scenario skeleton.

    Args:
        call: The call, with ``turns`` and ``patient`` loaded.
        zone: The clinic's time zone; the fixture's ``now`` is local wall-clock time.
        exported_at: When the export happens, for the header comment.

    Returns:
        The YAML text. ``caller.facts`` contains the name and date of birth only when the call
        verified a patient; ``expect`` is empty for a person to fill in.
    """
    lines = _caller_lines(call)
    opening = lines[0] if lines else "TODO the caller's first words"
    script = lines[1:]
    caller: dict[str, Any] = {
        "persona": "TODO describe the caller: temperament, how they speak, what they know.",
        "facts": _caller_facts(call),
        "goal": call.reason or "TODO what the caller wanted",
        "opening": opening,
        "mode": "scripted" if script else "goal",
    }
    if script:
        caller["script"] = script
    body = {
        "id": scenario_id(call),
        "category": "regression",
        "description": _description(call),
        "caller": caller,
        "fixture": {
            "clinic": "demo",
            "now": call.started_at.astimezone(zone).replace(tzinfo=None).isoformat(),
        },
    }
    header = _HEADER.format(
        call_id=call.id, exported=exported_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    )
    text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    return f"{header}{text}{_EXPECT_HINTS}"
