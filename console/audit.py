"""Audit trail of staff access to patient data, and the admin page's query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic.models import AuditEvent, StaffUser
from console.calls import local_day_bounds

AUDIT_PAGE_SIZE = 50


def record_access(
    db: Session,
    user: StaffUser,
    *,
    action: str,
    resource: str,
    resource_id: int | None,
    patient_id: int | None,
    call_id: int | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Add an audit event for ``user`` reading or changing a record; the caller commits."""
    db.add(
        AuditEvent(
            at=now or datetime.now(UTC),
            actor=f"staff:{user.username}",
            action=action,
            resource=resource,
            resource_id=resource_id,
            patient_id=patient_id,
            call_id=call_id,
            staff_user_id=user.id,
            detail=detail,
        )
    )


def record_list_view(
    db: Session, user: StaffUser, *, resource: str, patient_ids: Iterable[int]
) -> None:
    """Add one ``list`` event per patient whose name a list page showed.

    One event per patient, rather than one per page, lets the audit page find every view
    of a patient's name by filtering on the patient id.
    """
    now = datetime.now(UTC)
    for patient_id in sorted(set(patient_ids)):
        record_access(
            db,
            user,
            action="list",
            resource=resource,
            resource_id=None,
            patient_id=patient_id,
            now=now,
        )


@dataclass(frozen=True)
class AuditFilters:
    """The admin audit page's filters; dates are clinic-local and inclusive."""

    patient_id: int | None = None
    username: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_audit_filters(params: dict[str, str]) -> AuditFilters:
    """Parse the audit page's query parameters, ignoring malformed values."""
    patient = params.get("patient_id", "").strip()
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        page = 1
    return AuditFilters(
        patient_id=int(patient) if patient.isdigit() else None,
        username=params.get("user", "").strip().lower()[:80],
        date_from=_parse_date(params.get("date_from")),
        date_to=_parse_date(params.get("date_to")),
        page=page,
    )


def search_audit(
    db: Session, filters: AuditFilters, *, zone: ZoneInfo
) -> tuple[list[AuditEvent], int]:
    """Return one page of audit events (newest first) and the total that match."""
    query = select(AuditEvent)
    if filters.patient_id is not None:
        query = query.where(AuditEvent.patient_id == filters.patient_id)
    if filters.username:
        # "agent" and "system" are actors too, beside "staff:<username>".
        query = query.where(AuditEvent.actor.in_([filters.username, f"staff:{filters.username}"]))
    if filters.date_from is not None:
        query = query.where(AuditEvent.at >= local_day_bounds(filters.date_from, zone)[0])
    if filters.date_to is not None:
        query = query.where(AuditEvent.at < local_day_bounds(filters.date_to, zone)[1])
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    events = db.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_PAGE_SIZE)
        .offset((filters.page - 1) * AUDIT_PAGE_SIZE)
    )
    return list(events), total
