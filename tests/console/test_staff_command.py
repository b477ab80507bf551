"""``frontdesk staff``: creating console accounts from the command line."""

from __future__ import annotations

import getpass
import io
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from clinic.db import make_engine, make_session_factory
from clinic.models import StaffRole, StaffUser
from console.passwords import verify_password
from frontdesk.cli import main

PASSWORD = "a long enough password"


def _user(url: str, username: str) -> StaffUser | None:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(select(StaffUser).where(StaffUser.username == username))
    finally:
        engine.dispose()


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    monkeypatch.setattr("sys.stdin", buffer)
    yield buffer


def test_create_admin_from_stdin(
    sqlite_url: str, stdin: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin.write(f"{PASSWORD}\n")
    stdin.seek(0)
    status = main(
        [
            "staff",
            "create-admin",
            "--username",
            "Ines",
            "--password-stdin",
            "--database-url",
            sqlite_url,
        ]
    )
    assert status == 0
    assert "Created admin account 'ines'." in capsys.readouterr().out
    user = _user(sqlite_url, "ines")
    assert user is not None
    assert user.role == StaffRole.ADMIN
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)


def test_create_user_prompts_twice(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    status = main(
        [
            "staff",
            "create-user",
            "--username",
            "rosa",
            "--role",
            "front_desk",
            "--display-name",
            "Rosa Diaz",
            "--database-url",
            sqlite_url,
        ]
    )
    assert status == 0
    user = _user(sqlite_url, "rosa")
    assert user is not None
    assert user.role == StaffRole.FRONT_DESK
    assert user.display_name == "Rosa Diaz"


def test_mismatched_prompts_create_nothing(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    status = main(["staff", "create-user", "--username", "rosa", "--database-url", sqlite_url])
    assert status == 1
    assert "differ" in capsys.readouterr().err
    assert _user(sqlite_url, "rosa") is None


def test_short_password_rejected(
    sqlite_url: str, stdin: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin.write("short\n")
    stdin.seek(0)
    status = main(
        [
            "staff",
            "create-admin",
            "--username",
            "ines",
            "--password-stdin",
            "--database-url",
            sqlite_url,
        ]
    )
    assert status == 1
    assert "at least 12" in capsys.readouterr().err
    assert _user(sqlite_url, "ines") is None


def test_duplicate_username_rejected(
    sqlite_url: str, stdin: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "staff",
        "create-admin",
        "--username",
        "ines",
        "--password-stdin",
        "--database-url",
        sqlite_url,
    ]
    stdin.write(f"{PASSWORD}\n{PASSWORD}\n")
    stdin.seek(0)
    assert main(args) == 0
    assert main(args) == 1
    assert "already exists" in capsys.readouterr().err


def test_invalid_username_rejected(
    sqlite_url: str, stdin: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin.write(f"{PASSWORD}\n")
    stdin.seek(0)
    status = main(
        [
            "staff",
            "create-admin",
            "--username",
            "a b",
            "--password-stdin",
            "--database-url",
            sqlite_url,
        ]
    )
    assert status == 1
    assert "Invalid username" in capsys.readouterr().err


def test_set_password_unlocks(
    sqlite_url: str, stdin: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    new_password = "a different long password"
    stdin.write(f"{PASSWORD}\n{new_password}\n")
    stdin.seek(0)
    create = [
        "staff",
        "create-user",
        "--username",
        "rosa",
        "--password-stdin",
        "--database-url",
        sqlite_url,
    ]
    assert main(create) == 0
    change = [
        "staff",
        "set-password",
        "--username",
        "rosa",
        "--password-stdin",
        "--database-url",
        sqlite_url,
    ]
    assert main(change) == 0
    user = _user(sqlite_url, "rosa")
    assert user is not None
    assert verify_password(user.password_hash, new_password)
    assert (
        main(
            [
                "staff",
                "set-password",
                "--username",
                "nobody",
                "--password-stdin",
                "--database-url",
                sqlite_url,
            ]
        )
        == 1
    )


def test_missing_tables_explained(
    tmp_path: object, stdin: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin.write(f"{PASSWORD}\n")
    stdin.seek(0)
    url = f"sqlite:///{tmp_path}/empty.sqlite3"
    status = main(
        ["staff", "create-admin", "--username", "ines", "--password-stdin", "--database-url", url]
    )
    assert status == 1
    assert "frontdesk db upgrade" in capsys.readouterr().err
