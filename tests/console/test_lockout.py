"""Account lockout after failed sign-ins, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import transaction
from clinic.models import AuditEvent, StaffUser
from tests.console.builders import PASSWORD
from tests.console.conftest import csrf_token


def _attempt(client: TestClient, username: str, password: str) -> int:
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(page.text)},
    )
    return response.status_code


def test_lockout_after_five_failures(
    client: TestClient, front_desk: str, session_factory: sessionmaker[Session]
) -> None:
    for _ in range(5):
        assert _attempt(client, front_desk, "wrong password") == 401
    # The right password no longer works, with the same message as any failure.
    page = client.get("/console/login")
    locked = client.post(
        "/console/login",
        data={"username": front_desk, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert locked.status_code == 401
    assert "Sign-in failed" in locked.text
    with session_factory() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == front_desk))
        assert user is not None
        assert user.locked_until is not None
        remaining = user.locked_until - datetime.now(UTC)
        assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)
        actions = list(
            session.scalars(select(AuditEvent.action).where(AuditEvent.staff_user_id == user.id))
        )
    assert actions.count("login_failed") == 4
    assert "lockout" in actions
    assert "login_rejected_locked" in actions


def test_lockout_expires(
    client: TestClient, front_desk: str, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == front_desk))
        assert user is not None
        user.failed_logins = 5
        user.locked_until = datetime.now(UTC) - timedelta(seconds=1)
    assert _attempt(client, front_desk, PASSWORD) == 303
    with session_factory() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == front_desk))
        assert user is not None
        assert user.failed_logins == 0
        assert user.locked_until is None


def test_success_resets_failure_count(
    client: TestClient, front_desk: str, session_factory: sessionmaker[Session]
) -> None:
    for _ in range(4):
        _attempt(client, front_desk, "wrong password")
    assert _attempt(client, front_desk, PASSWORD) == 303
    with session_factory() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == front_desk))
        assert user is not None
        assert user.failed_logins == 0
