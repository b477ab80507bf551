"""The front-office queue: items the receptionist handed over for a person to finish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from clinic.models import StaffTask, StaffUser, TaskKind, TaskPriority, TaskStatus

MAX_NOTE_LENGTH = 2000

KIND_LABELS = {
    TaskKind.URGENT: "Urgent",
    TaskKind.CALLBACK: "Callbacks",
    TaskKind.REFILL_REVIEW: "Refill reviews",
    TaskKind.REGISTRATION_REVIEW: "Registration reviews",
    TaskKind.INSURANCE_QUESTION: "Insurance questions",
    TaskKind.CALL_REVIEW: "Call reviews",
}

PRIORITIES = (TaskPriority.URGENT, TaskPriority.HIGH, TaskPriority.NORMAL)


class TaskUpdateError(ValueError):
    """Raised when a queue item cannot change as requested; the message is for staff."""


# Urgent items first (by priority or by kind), then high, then normal.
_URGENCY_RANK = case(
    (StaffTask.priority == TaskPriority.URGENT, 0),
    (StaffTask.kind == TaskKind.URGENT, 0),
    (StaffTask.priority == TaskPriority.HIGH, 1),
    else_=2,
)


def open_tasks(
    db: Session, *, kind: TaskKind | None = None, assigned_to: StaffUser | None = None
) -> list[StaffTask]:
    """Return the open and in-progress queue items, urgent first, then oldest first."""
    query = (
        select(StaffTask)
        .where(StaffTask.status != TaskStatus.DONE)
        .options(selectinload(StaffTask.patient), selectinload(StaffTask.assigned_to))
        .order_by(_URGENCY_RANK, StaffTask.created_at, StaffTask.id)
    )
    if kind is not None:
        query = query.where(StaffTask.kind == kind)
    if assigned_to is not None:
        query = query.where(StaffTask.assigned_to_id == assigned_to.id)
    return list(db.scalars(query))


def recently_done(db: Session, *, limit: int = 10) -> list[StaffTask]:
    """Return the most recently finished queue items."""
    query = (
        select(StaffTask)
        .where(StaffTask.status == TaskStatus.DONE)
        .options(selectinload(StaffTask.patient), selectinload(StaffTask.assigned_to))
        .order_by(StaffTask.done_at.desc(), StaffTask.id.desc())
        .limit(limit)
    )
    return list(db.scalars(query))


@dataclass(frozen=True)
class KindCount:
    """Open queue items of one kind, by priority."""

    kind: TaskKind
    label: str
    by_priority: dict[TaskPriority, int]

    @property
    def total(self) -> int:
        return sum(self.by_priority.values())


def queue_counts(db: Session) -> list[KindCount]:
    """Count open and in-progress items per kind and priority, for the home page."""
    rows = db.execute(
        select(StaffTask.kind, StaffTask.priority, func.count())
        .where(StaffTask.status != TaskStatus.DONE)
        .group_by(StaffTask.kind, StaffTask.priority)
    ).all()
    counts: dict[TaskKind, dict[TaskPriority, int]] = {
        kind: dict.fromkeys(PRIORITIES, 0) for kind in KIND_LABELS
    }
    for kind, priority, count in rows:
        counts[kind][priority] = count
    return [KindCount(kind, KIND_LABELS[kind], counts[kind]) for kind in KIND_LABELS]


def assign_task(task: StaffTask, user: StaffUser) -> None:
    """Take a queue item: it becomes the user's and moves to in progress.

    Raises:
        TaskUpdateError: The item is already done.
    """
    if task.status == TaskStatus.DONE:
        raise TaskUpdateError("This item is already done.")
    task.assigned_to_id = user.id
    task.status = TaskStatus.IN_PROGRESS


def complete_task(task: StaffTask, user: StaffUser, note: str, *, now: datetime) -> None:
    """Mark a queue item done with a note saying what was done.

    Raises:
        TaskUpdateError: The item is already done, or the note is empty or too long.
    """
    note = note.strip()
    if task.status == TaskStatus.DONE:
        raise TaskUpdateError("This item is already done.")
    if not note:
        raise TaskUpdateError("Write a note saying what was done before marking it done.")
    if len(note) > MAX_NOTE_LENGTH:
        raise TaskUpdateError(f"The note is too long; keep it under {MAX_NOTE_LENGTH} characters.")
    if task.assigned_to_id is None:
        task.assigned_to_id = user.id
    task.status = TaskStatus.DONE
    task.done_at = now
    task.done_note = note
