"""The escalation queue: list, item detail, assign to me and mark done."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from clinic.models import RefillRequest, StaffTask, StaffUser, TaskKind
from console.audit import record_access, record_list_view
from console.calls import clinic_zone
from console.deps import (
    PREFIX,
    ConsoleError,
    ConsoleRoute,
    CurrentUser,
    DbSession,
    NotFound,
)
from console.queue import (
    KIND_LABELS,
    MAX_NOTE_LENGTH,
    TaskUpdateError,
    assign_task,
    complete_task,
    open_tasks,
    recently_done,
)
from console.templating import render

router = APIRouter(route_class=ConsoleRoute)


def _get_task(db: Session, task_id: int) -> StaffTask:
    task = db.scalar(
        select(StaffTask)
        .where(StaffTask.id == task_id)
        .options(
            selectinload(StaffTask.patient),
            selectinload(StaffTask.call),
            selectinload(StaffTask.assigned_to),
        )
    )
    if task is None:
        raise NotFound(f"No queue item with id {task_id} exists.")
    return task


def _audit_task(db: Session, user: StaffUser, task: StaffTask, action: str) -> None:
    if task.patient_id is None:
        return
    record_access(
        db,
        user,
        action=action,
        resource="staff_task",
        resource_id=task.id,
        patient_id=task.patient_id,
        call_id=task.call_id,
    )


@router.get("/queue")
def queue_page(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    kind: str = "",
    mine: str = "",
) -> Response:
    """List open queue items, urgent first and then oldest first."""
    selected = TaskKind(kind) if kind in TaskKind._value2member_map_ else None
    tasks = open_tasks(db, kind=selected, assigned_to=user if mine == "1" else None)
    done = recently_done(db)
    patient_ids = [t.patient_id for t in [*tasks, *done] if t.patient_id is not None]
    record_list_view(db, user, resource="staff_task", patient_ids=patient_ids)
    db.commit()
    context = {
        "tasks": tasks,
        "done": done,
        "kind": selected,
        "mine": mine == "1",
        "kind_labels": KIND_LABELS,
        "zone": clinic_zone(db),
        "nav": "queue",
    }
    return render(request, "queue.html", context)


def _render_task(
    request: Request, db: Session, task: StaffTask, *, error: str | None = None
) -> Response:
    refill = db.get(RefillRequest, task.refill_request_id) if task.refill_request_id else None
    context = {
        "task": task,
        "refill": refill,
        "kind_labels": KIND_LABELS,
        "zone": clinic_zone(db),
        "max_note_length": MAX_NOTE_LENGTH,
        "nav": "queue",
        "error": error,
    }
    return render(request, "task_detail.html", context, status_code=400 if error else 200)


@router.get("/queue/{task_id}")
def task_detail(
    request: Request,
    task_id: int,
    user: CurrentUser,
    db: DbSession,
) -> Response:
    """Show one queue item with its patient, call and refill request."""
    task = _get_task(db, task_id)
    _audit_task(db, user, task, "read")
    db.commit()
    return _render_task(request, db, task)


@router.post("/queue/{task_id}/assign")
def assign(
    task_id: int,
    user: CurrentUser,
    db: DbSession,
) -> Response:
    """Assign a queue item to the signed-in user."""
    task = _get_task(db, task_id)
    try:
        assign_task(task, user)
    except TaskUpdateError as error:
        raise ConsoleError(str(error)) from error
    _audit_task(db, user, task, "assign")
    db.commit()
    return RedirectResponse(f"{PREFIX}/queue/{task.id}", status_code=303)


@router.post("/queue/{task_id}/done")
def mark_done(
    request: Request,
    task_id: int,
    user: CurrentUser,
    db: DbSession,
    note: Annotated[str, Form(max_length=MAX_NOTE_LENGTH + 100)] = "",
) -> Response:
    """Mark a queue item done with a note saying what was done."""
    task = _get_task(db, task_id)
    try:
        complete_task(task, user, note, now=datetime.now(UTC))
    except TaskUpdateError as error:
        return _render_task(request, db, task, error=str(error))
    _audit_task(db, user, task, "complete")
    db.commit()
    return RedirectResponse(f"{PREFIX}/queue", status_code=303)
