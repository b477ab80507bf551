"""The escalation queue and the home page's counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clinic.demo import DemoFacts
from clinic.models import StaffTask, StaffUser, TaskKind, TaskPriority, TaskStatus
from tests.console.builders import add_task
from tests.console.conftest import csrf_token


def _titles(html: str) -> list[str]:
    marker = 'class="task-title" href="/console/queue/'
    titles = []
    for chunk in html.split(marker)[1:]:
        titles.append(chunk.split(">", 1)[1].split("<", 1)[0])
    return titles


def test_queue_urgent_first_then_oldest(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    now = datetime.now(UTC)
    add_task(session_factory, title="old normal", created_at=now - timedelta(hours=5))
    add_task(session_factory, title="new normal", created_at=now - timedelta(hours=1))
    add_task(
        session_factory,
        title="new urgent",
        kind=TaskKind.URGENT,
        priority=TaskPriority.URGENT,
        created_at=now - timedelta(minutes=5),
    )
    add_task(
        session_factory,
        title="old urgent",
        kind=TaskKind.CALLBACK,
        priority=TaskPriority.URGENT,
        created_at=now - timedelta(hours=2),
    )
    add_task(
        session_factory,
        title="high refill",
        kind=TaskKind.REFILL_REVIEW,
        priority=TaskPriority.HIGH,
        created_at=now - timedelta(minutes=1),
    )
    page = desk_client.get("/console/queue")
    assert page.status_code == 200
    assert _titles(page.text) == [
        "old urgent",
        "new urgent",
        "high refill",
        "old normal",
        "new normal",
    ]


def test_queue_filters_by_kind(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    add_task(session_factory, title="a callback")
    add_task(session_factory, title="an insurance question", kind=TaskKind.INSURANCE_QUESTION)
    page = desk_client.get("/console/queue?kind=insurance_question")
    assert _titles(page.text) == ["an insurance question"]
    assert len(_titles(desk_client.get("/console/queue?kind=nonsense").text)) == 2


def test_assign_to_me(
    desk_client: TestClient, session_factory: sessionmaker[Session], front_desk: str
) -> None:
    task_id = add_task(session_factory, title="call back")
    page = desk_client.get("/console/queue")
    response = desk_client.post(
        f"/console/queue/{task_id}/assign", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303
    with session_factory() as session:
        task = session.get(StaffTask, task_id)
        user = session.scalar(select(StaffUser).where(StaffUser.username == front_desk))
        assert task is not None and user is not None
        assert task.assigned_to_id == user.id
        assert task.status == TaskStatus.IN_PROGRESS
    mine = desk_client.get("/console/queue?mine=1")
    assert _titles(mine.text) == ["call back"]


def test_mark_done_with_note(
    desk_client: TestClient, session_factory: sessionmaker[Session], front_desk: str
) -> None:
    task_id = add_task(session_factory, title="call back")
    page = desk_client.get(f"/console/queue/{task_id}")
    response = desk_client.post(
        f"/console/queue/{task_id}/done",
        data={"note": "Called back, booked Tuesday.", "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 303
    with session_factory() as session:
        task = session.get(StaffTask, task_id)
        assert task is not None
        assert task.status == TaskStatus.DONE
        assert task.done_note == "Called back, booked Tuesday."
        assert task.done_at is not None
        assert task.assigned_to_id is not None
    queue = desk_client.get("/console/queue")
    assert _titles(queue.text) == []
    assert "Recently done" in queue.text


def test_mark_done_needs_note(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    task_id = add_task(session_factory)
    page = desk_client.get(f"/console/queue/{task_id}")
    response = desk_client.post(
        f"/console/queue/{task_id}/done", data={"note": " ", "csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 400
    assert "Write a note" in response.text
    with session_factory() as session:
        task = session.get(StaffTask, task_id)
        assert task is not None
        assert task.status == TaskStatus.OPEN


def test_done_task_cannot_be_reopened(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    task_id = add_task(session_factory)
    token = csrf_token(desk_client.get(f"/console/queue/{task_id}").text)
    desk_client.post(f"/console/queue/{task_id}/done", data={"note": "done", "csrf_token": token})
    again = desk_client.post(f"/console/queue/{task_id}/assign", data={"csrf_token": token})
    assert again.status_code == 400
    assert "already done" in again.text


def test_task_detail_shows_patient_and_call(
    desk_client: TestClient, session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    task_id = add_task(
        session_factory,
        title="Refill: lisinopril",
        kind=TaskKind.REFILL_REVIEW,
        patient_id=demo.established_patient.id,
    )
    page = desk_client.get(f"/console/queue/{task_id}")
    assert page.status_code == 200
    assert "Margaret Chen" in page.text
    assert "Apr 12, 1958" in page.text
    assert "(802) 555-0199" in page.text
    assert 'href="tel:+18025550199"' in page.text
    assert desk_client.get("/console/queue/999999").status_code == 404


def test_home_counts_by_kind_and_urgency(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    add_task(session_factory, kind=TaskKind.CALLBACK, priority=TaskPriority.NORMAL)
    add_task(session_factory, kind=TaskKind.CALLBACK, priority=TaskPriority.NORMAL)
    add_task(session_factory, kind=TaskKind.CALLBACK, priority=TaskPriority.HIGH)
    add_task(session_factory, kind=TaskKind.URGENT, priority=TaskPriority.URGENT)
    done_id = add_task(session_factory, kind=TaskKind.INSURANCE_QUESTION)
    token = csrf_token(desk_client.get("/console/").text)
    desk_client.post(f"/console/queue/{done_id}/done", data={"note": "ok", "csrf_token": token})

    page = desk_client.get("/console/").text
    callbacks = page.split('href="/console/queue?kind=callback">Callbacks</a></th>')[1].split(
        "</tr>"
    )[0]
    assert '<span class="count priority-high">1</span>' in callbacks
    assert '<span class="count priority-normal">2</span>' in callbacks
    assert "<strong>3</strong>" in callbacks
    urgent = page.split('href="/console/queue?kind=urgent">Urgent</a></th>')[1].split("</tr>")[0]
    assert '<span class="count priority-urgent">1</span>' in urgent
    insurance = page.split('kind=insurance_question">Insurance questions</a></th>')[1].split(
        "</tr>"
    )[0]
    assert "<strong>0</strong>" in insurance
