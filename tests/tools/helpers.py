"""Helpers for tool tests: other calls' contexts, verification, read-backs, row counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clinic.demo import DemoPatient
from clinic.models import Base
from tools.base import CallContext, ToolResult
from tools.registry import call_tool


def new_context(ctx: CallContext, *, verified: DemoPatient | int | None = None) -> CallContext:
    """Return another call's context on the same database and clock, not recorded."""
    patient_id = verified.id if isinstance(verified, DemoPatient) else verified
    return CallContext(
        session_factory=ctx.session_factory,
        clinic_id=ctx.clinic_id,
        now=ctx.now,
        verified_patient_id=patient_id,
    )


def verify(ctx: CallContext, patient: DemoPatient) -> None:
    """Mark ``patient`` verified, as a successful ``verify_patient`` would."""
    ctx.verified_patient_id = patient.id


async def confirm(ctx: CallContext, name: str, arguments: dict[str, Any]) -> ToolResult:
    """Run the read-back, say yes, and commit: the whole confirmation protocol."""
    proposal = await call_tool(ctx, name, {**arguments, "confirmed": False})
    assert proposal.ok, proposal.message
    assert proposal.needs_confirmation
    ctx.caller_confirmed = True
    return await call_tool(ctx, name, {**arguments, "confirmed": True})


def row_counts(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """Count the rows of every table."""
    with session_factory() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def changed_tables(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Return the tables whose row counts differ, with the difference."""
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}
