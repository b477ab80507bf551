"""Audit events for staff views of patient data, and the admin audit page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import transaction
from clinic.demo import DemoFacts
from clinic.models import AuditEvent, StaffUser
from frontdesk.settings import Settings
from tests.console.builders import add_call, add_task, booking_call
from tests.console.conftest import csrf_token, sign_in


def _events(factory: sessionmaker[Session], **where: object) -> list[AuditEvent]:
    with factory() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        return list(session.scalars(query))


def _user_id(factory: sessionmaker[Session], username: str) -> int:
    with factory() as session:
        user_id = session.scalar(select(StaffUser.id).where(StaffUser.username == username))
        assert user_id is not None
        return user_id


def test_call_detail_view_is_audited(
    desk_client: TestClient,
    session_factory: sessionmaker[Session],
    demo: DemoFacts,
    front_desk: str,
) -> None:
    patient_id = demo.established_patient.id
    call_id = booking_call(session_factory, patient_id=patient_id)
    desk_client.get(f"/console/calls/{call_id}")
    events = _events(session_factory, action="read", resource="call")
    assert len(events) == 1
    event = events[0]
    assert event.actor == f"staff:{front_desk}"
    assert event.staff_user_id == _user_id(session_factory, front_desk)
    assert event.patient_id == patient_id
    assert event.call_id == call_id
    assert event.resource_id == call_id


def test_unverified_call_view_is_not_audited(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    call_id = add_call(session_factory)
    desk_client.get(f"/console/calls/{call_id}")
    assert _events(session_factory, resource="call") == []


def test_queue_item_view_is_audited(
    desk_client: TestClient,
    session_factory: sessionmaker[Session],
    demo: DemoFacts,
    front_desk: str,
) -> None:
    patient_id = demo.new_patient.id
    task_id = add_task(session_factory, patient_id=patient_id)
    desk_client.get(f"/console/queue/{task_id}")
    events = _events(session_factory, action="read", resource="staff_task")
    assert [(e.patient_id, e.resource_id, e.actor) for e in events] == [
        (patient_id, task_id, f"staff:{front_desk}")
    ]


def test_lists_audit_each_patient_shown(
    desk_client: TestClient, session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    booking_call(session_factory, patient_id=demo.established_patient.id)
    booking_call(session_factory, patient_id=demo.established_patient.id)
    add_call(session_factory, patient_id=demo.new_patient.id)
    add_call(session_factory)
    desk_client.get("/console/calls")
    listed = _events(session_factory, action="list", resource="call")
    assert sorted(e.patient_id for e in listed) == sorted(
        [demo.established_patient.id, demo.new_patient.id]
    )
    add_task(session_factory, patient_id=demo.new_patient.id)
    desk_client.get("/console/queue")
    assert [
        e.patient_id for e in _events(session_factory, action="list", resource="staff_task")
    ] == [demo.new_patient.id]


def test_recording_and_export_are_audited(
    desk_client: TestClient,
    session_factory: sessionmaker[Session],
    demo: DemoFacts,
    settings: Settings,
) -> None:
    recording = settings.recordings_dir / "CA9.wav"
    recording.write_bytes(b"RIFF")
    call_id = booking_call(
        session_factory,
        patient_id=demo.established_patient.id,
        flagged=True,
        flag_note="bad",
        recording_path=str(recording),
    )
    desk_client.get(f"/console/calls/{call_id}/recording")
    assert len(_events(session_factory, action="play", resource="recording")) == 1
    desk_client.get(f"/console/calls/{call_id}/scenario.yaml")
    assert len(_events(session_factory, action="export", call_id=call_id)) == 1
    token = csrf_token(desk_client.get("/console/").text)
    desk_client.post(f"/console/calls/{call_id}/flag", data={"note": "worse", "csrf_token": token})
    assert len(_events(session_factory, action="flag", call_id=call_id)) == 1


def test_admin_filters_audit_by_patient(
    admin_client: TestClient,
    session_factory: sessionmaker[Session],
    demo: DemoFacts,
) -> None:
    chen = booking_call(session_factory, patient_id=demo.established_patient.id)
    shah = add_call(session_factory, patient_id=demo.new_patient.id)
    admin_client.get(f"/console/calls/{chen}")
    admin_client.get(f"/console/calls/{shah}")
    page = admin_client.get(f"/console/admin/audit?patient_id={demo.new_patient.id}")
    assert page.status_code == 200
    assert f'href="/console/calls/{shah}"' in page.text
    assert f'href="/console/calls/{chen}"' not in page.text


def test_admin_filters_audit_by_user(
    client: TestClient,
    session_factory: sessionmaker[Session],
    demo: DemoFacts,
    front_desk: str,
    admin: str,
) -> None:
    call_id = booking_call(session_factory, patient_id=demo.established_patient.id)
    sign_in(client, front_desk)
    client.get(f"/console/calls/{call_id}")
    token = csrf_token(client.get("/console/").text)
    client.post("/console/logout", data={"csrf_token": token})
    sign_in(client, admin)
    page = client.get(f"/console/admin/audit?user={front_desk}")
    assert f"staff:{front_desk}" in page.text
    assert f"staff:{admin}" not in page.text
    other = client.get(f"/console/admin/audit?user={admin}")
    assert f"staff:{front_desk}" not in other.text


def test_admin_filters_audit_by_date(
    admin_client: TestClient, session_factory: sessionmaker[Session], admin: str
) -> None:
    admin_id = _user_id(session_factory, admin)
    with transaction(session_factory) as session:
        session.add(
            AuditEvent(
                at=datetime(2026, 1, 10, 15, 0, tzinfo=UTC),
                actor="agent",
                action="read",
                resource="patient",
                resource_id=42,
                staff_user_id=admin_id,
                tool_name="verify_patient",
            )
        )
    # 2026-01-11 04:30 UTC is still January 10 in New York.
    with transaction(session_factory) as session:
        session.add(
            AuditEvent(
                at=datetime(2026, 1, 11, 4, 30, tzinfo=UTC),
                actor="agent",
                action="update",
                resource="appointment",
                resource_id=43,
            )
        )

    page = admin_client.get("/console/admin/audit?date_from=2026-01-10&date_to=2026-01-10")
    assert "Patient 42" in page.text
    assert "Appointment 43" in page.text
    assert "2 events" in page.text
    later = admin_client.get("/console/admin/audit?date_from=2026-01-11")
    assert "Appointment 43" not in later.text
    malformed = admin_client.get("/console/admin/audit?date_from=yesterday&patient_id=x")
    assert malformed.status_code == 200


def test_audit_page_paginates(
    admin_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    start = datetime.now(UTC) - timedelta(days=1)
    with transaction(session_factory) as session:
        for minute in range(60):
            session.add(
                AuditEvent(
                    at=start + timedelta(minutes=minute),
                    actor="agent",
                    action="read",
                    resource="patient",
                    resource_id=minute,
                )
            )
    page = admin_client.get("/console/admin/audit?user=agent")
    assert "Page 1 of 2" in page.text
    assert "user=agent&amp;page=2" in page.text
