"""Fixtures for the console tests: an app serving the console router on the demo clinic."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from clinic.models import StaffRole
from console.routes import router
from frontdesk.settings import Settings
from tests.console.builders import PASSWORD, add_staff

CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


def console_app(settings: Settings, factory: sessionmaker[Session]) -> FastAPI:
    """A bare FastAPI app with only the console router, as the app factory wires it."""
    app = FastAPI()
    app.state.settings = settings
    app.state.session_factory = factory
    app.include_router(router)
    return app


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    return Settings(
        environment="test",
        database_url=database_url,
        secret_key="test-secret-key-for-the-console-tests",
        recordings_dir=recordings,
        _env_file=None,
    )


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    return console_app(settings, session_factory)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # HTTPS so that the client sends the Secure session cookie back.
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def front_desk(session_factory: sessionmaker[Session]) -> str:
    add_staff(session_factory, "rosa", display_name="Rosa Diaz")
    return "rosa"


@pytest.fixture
def admin(session_factory: sessionmaker[Session]) -> str:
    add_staff(session_factory, "ines", role=StaffRole.ADMIN, display_name="Ines Park")
    return "ines"


def csrf_token(html: str) -> str:
    """Return the CSRF token of the first form in a page."""
    match = CSRF_PATTERN.search(html)
    assert match is not None, "the page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form and return the session's CSRF token."""
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 303, response.text
    return csrf_token(client.get("/console/").text)


@pytest.fixture
def desk_client(client: TestClient, front_desk: str) -> TestClient:
    sign_in(client, front_desk)
    return client


@pytest.fixture
def admin_client(client: TestClient, admin: str) -> TestClient:
    sign_in(client, admin)
    return client
