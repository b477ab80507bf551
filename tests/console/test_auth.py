"""Sign-in, sessions, lockout and redirects of the staff console."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import transaction
from clinic.models import StaffUser
from console.sessions import COOKIE_NAME
from console.users import set_password
from frontdesk.settings import Settings
from tests.console.builders import PASSWORD
from tests.console.conftest import console_app, csrf_token, sign_in

PAGES = [
    "/console/",
    "/console/calls",
    "/console/calls/1",
    "/console/calls/1/recording",
    "/console/calls/1/scenario.yaml",
    "/console/queue",
    "/console/queue/1",
    "/console/admin/audit",
    "/console/admin/staff",
]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite only: sign-in and sessions do not depend on the database backend."""
    return sqlite_url


def _attempt(client: TestClient, username: str, password: str) -> int:
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(page.text)},
    )
    return response.status_code


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_to_login(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=")


def test_login_redirect_keeps_the_page(client: TestClient, front_desk: str) -> None:
    response = client.get("/console/calls?escalated=1")
    assert response.headers["location"] == "/console/login?next=%2Fconsole%2Fcalls%3Fescalated%3D1"
    page = client.get(response.headers["location"])
    answer = client.post(
        "/console/login",
        data={
            "username": front_desk,
            "password": PASSWORD,
            "next": "/console/calls?escalated=1",
            "csrf_token": csrf_token(page.text),
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/calls?escalated=1"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/twilio/voice"])
def test_login_ignores_foreign_next(client: TestClient, front_desk: str, target: str) -> None:
    page = client.get("/console/login")
    answer = client.post(
        "/console/login",
        data={
            "username": front_desk,
            "password": PASSWORD,
            "next": target,
            "csrf_token": csrf_token(page.text),
        },
    )
    assert answer.headers["location"] == "/console/"


def test_login_sets_hardened_cookie(client: TestClient, front_desk: str) -> None:
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": front_desk, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" in cookie
    home = client.get("/console/")
    assert home.status_code == 200
    assert "Rosa Diaz" in home.text


def test_login_rotates_csrf_token(client: TestClient, front_desk: str) -> None:
    before = csrf_token(client.get("/console/login").text)
    after = sign_in(client, front_desk)
    assert before != after


def test_wrong_password_is_generic(client: TestClient, front_desk: str) -> None:
    page = client.get("/console/login")
    wrong = client.post(
        "/console/login",
        data={"username": front_desk, "password": "nope", "csrf_token": csrf_token(page.text)},
    )
    unknown = client.post(
        "/console/login",
        data={"username": "nobody", "password": "nope", "csrf_token": csrf_token(page.text)},
    )
    assert wrong.status_code == 401
    assert unknown.status_code == 401
    assert "Sign-in failed" in wrong.text
    assert wrong.text.replace(front_desk, "nobody") == unknown.text


def test_username_is_case_insensitive(client: TestClient, front_desk: str) -> None:
    assert _attempt(client, front_desk.upper(), PASSWORD) == 303


def test_logout_ends_session(desk_client: TestClient) -> None:
    token = csrf_token(desk_client.get("/console/").text)
    response = desk_client.post("/console/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login"
    assert desk_client.get("/console/").status_code == 303


def test_forged_cookie_is_anonymous(client: TestClient, front_desk: str) -> None:
    sign_in(client, front_desk)
    value = client.cookies[COOKIE_NAME]
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, value[:-4] + "AAAA")
    assert client.get("/console/").status_code == 303


def test_password_change_ends_sessions(
    desk_client: TestClient, front_desk: str, session_factory: sessionmaker[Session]
) -> None:
    assert desk_client.get("/console/").status_code == 200
    with transaction(session_factory) as session:
        set_password(session, username=front_desk, password="another long password")
    assert desk_client.get("/console/").status_code == 303


def test_disabled_user_is_signed_out(
    desk_client: TestClient, front_desk: str, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == front_desk))
        assert user is not None
        user.active = False
    assert desk_client.get("/console/").status_code == 303
    assert _attempt(desk_client, front_desk, PASSWORD) == 401


def test_pages_send_security_headers(desk_client: TestClient) -> None:
    response = desk_client.get("/console/")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_stylesheet_is_public(client: TestClient) -> None:
    response = client.get("/console/static/console.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "set-cookie" not in response.headers
    assert client.get("/console/static/../routes.py").status_code == 404
    assert client.get("/console/static/other.css").status_code == 404


def test_development_cookie_not_secure(
    settings: Settings, session_factory: sessionmaker[Session], front_desk: str
) -> None:
    # Plain http on a developer's machine: a Secure cookie would never come back.
    development = settings.model_copy(update={"environment": "development"})
    client = TestClient(console_app(development, session_factory), follow_redirects=False)
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": front_desk, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 303
    assert "Secure" not in response.headers["set-cookie"]
    assert "HttpOnly" in response.headers["set-cookie"]
    assert client.get("/console/").status_code == 200
