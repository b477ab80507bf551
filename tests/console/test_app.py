"""The console as the Frontdesk app serves it."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from clinic.db import make_engine, make_session_factory
from frontdesk.app import create_app
from frontdesk.settings import Settings
from tests.console.builders import add_staff
from tests.console.conftest import sign_in


def test_app_serves_console(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)
    add_staff(make_session_factory(engine), "rosa")
    engine.dispose()
    settings = Settings(
        environment="test",
        database_url=sqlite_url,
        secret_key="app-test-secret-key",
        recordings_dir=tmp_path,
        _env_file=None,
    )
    # Without entering the client's context the lifespan, which loads speech models, stays off.
    client = TestClient(create_app(settings), base_url="https://testserver", follow_redirects=False)

    root = client.get("/")
    assert root.status_code == 307
    assert root.headers["location"] == "/console/"
    anonymous = client.get("/console/")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/console/login")

    sign_in(client, "rosa")
    home = client.get("/console/")
    assert home.status_code == 200
    assert "Maple Grove Family Medicine" in home.text
