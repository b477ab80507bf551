"""CSRF protection on every form and the admin-only pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import transaction
from clinic.models import Call, StaffUser
from tests.console.builders import PASSWORD, add_call, add_task
from tests.console.conftest import csrf_token

ADMIN_PAGES = ["/console/admin/audit", "/console/admin/staff"]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite only: CSRF and role checks do not depend on the database backend."""
    return sqlite_url


def _post_routes(call_id: int, task_id: int) -> list[str]:
    return [
        f"/console/calls/{call_id}/flag",
        f"/console/calls/{call_id}/unflag",
        f"/console/queue/{task_id}/assign",
        f"/console/queue/{task_id}/done",
        "/console/admin/staff/1/unlock",
        "/console/logout",
    ]


def test_post_without_csrf_rejected(
    admin_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    call_id = add_call(session_factory)
    task_id = add_task(session_factory)
    for path in _post_routes(call_id, task_id):
        response = admin_client.post(path, data={"note": "x"})
        assert response.status_code == 403, path
        assert "security token" in response.text
    with session_factory() as session:
        call = session.get(Call, call_id)
        assert call is not None
        assert call.flagged is False
    # Still signed in: the rejected logout did nothing.
    assert admin_client.get("/console/").status_code == 200


def test_post_with_wrong_csrf_rejected(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    call_id = add_call(session_factory)
    response = desk_client.post(
        f"/console/calls/{call_id}/flag", data={"note": "x", "csrf_token": "forged"}
    )
    assert response.status_code == 403


def test_csrf_header_accepted(
    desk_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    call_id = add_call(session_factory)
    token = csrf_token(desk_client.get("/console/").text)
    response = desk_client.post(
        f"/console/calls/{call_id}/flag", data={"note": "x"}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 303


def test_login_without_csrf_rejected(client: TestClient, front_desk: str) -> None:
    client.get("/console/login")
    response = client.post("/console/login", data={"username": front_desk, "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/console/").status_code == 303


def test_token_of_another_session_rejected(
    client: TestClient, app: FastAPI, front_desk: str
) -> None:
    other = TestClient(app, base_url="https://testserver")
    foreign_token = csrf_token(other.get("/console/login").text)
    client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": front_desk, "password": PASSWORD, "csrf_token": foreign_token},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_front_desk_gets_403_on_admin_pages(desk_client: TestClient, path: str) -> None:
    response = desk_client.get(path)
    assert response.status_code == 403
    assert "for clinic administrators" in response.text


def test_front_desk_cannot_unlock(desk_client: TestClient) -> None:
    token = csrf_token(desk_client.get("/console/").text)
    response = desk_client.post("/console/admin/staff/1/unlock", data={"csrf_token": token})
    assert response.status_code == 403


def test_front_desk_sees_no_admin_links(desk_client: TestClient) -> None:
    page = desk_client.get("/console/").text
    assert "/console/admin/audit" not in page


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_opens_admin_pages(admin_client: TestClient, path: str) -> None:
    response = admin_client.get(path)
    assert response.status_code == 200


def test_admin_unlocks_account(
    admin_client: TestClient, session_factory: sessionmaker[Session], front_desk: str
) -> None:
    with transaction(session_factory) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == front_desk))
        assert user is not None
        user.failed_logins = 5
        user.locked_until = datetime.now(UTC) + timedelta(minutes=10)
        user_id = user.id
    page = admin_client.get("/console/admin/staff")
    assert "Locked until" in page.text
    response = admin_client.post(
        f"/console/admin/staff/{user_id}/unlock", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303
    with session_factory() as session:
        user = session.get(StaffUser, user_id)
        assert user is not None
        assert user.locked_until is None
        assert user.failed_logins == 0


def test_every_form_carries_token(
    admin_client: TestClient, session_factory: sessionmaker[Session], front_desk: str
) -> None:
    call_id = add_call(session_factory, flagged=True, flag_note="bad")
    task_id = add_task(session_factory)
    token = csrf_token(admin_client.get("/console/").text)
    pages = [
        "/console/",
        f"/console/calls/{call_id}",
        "/console/queue",
        f"/console/queue/{task_id}",
        "/console/admin/staff",
    ]
    with transaction(session_factory) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == front_desk))
        assert user is not None
        user.failed_logins = 1
    for path in pages:
        html = admin_client.get(path).text
        forms = html.count('method="post"')
        assert forms > 0, path
        assert html.count(f'name="csrf_token" value="{token}"') == forms, path
