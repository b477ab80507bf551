"""``frontdesk seed``: seeds an empty database and protects an existing clinic."""

from __future__ import annotations

from sqlalchemy import func, select

from clinic.db import make_engine, make_session_factory
from clinic.models import Call, CallOutcome, Patient
from frontdesk.cli import main


def _count(url: str, model: type) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def test_seed_command_creates_demo_clinic(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"

    status = main(["seed", "--database-url", url, "--today", "2026-03-02"])

    output = capsys.readouterr().out
    assert status == 0
    assert "Maple Grove Family Medicine" in output
    assert "patients: 300" in output
    assert _count(url, Patient) == 300


def test_seed_command_rejects_existing_clinic(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert main(["seed", "--database-url", url, "--today", "2026-03-02"]) == 0

    status = main(["seed", "--database-url", url])

    assert status == 1
    assert "--reset" in capsys.readouterr().err
    assert _count(url, Patient) == 300


def test_seed_command_reset_reseeds(sqlite_url, demo):
    engine = make_engine(sqlite_url)
    with make_session_factory(engine).begin() as session:
        session.add(Call(call_sid="CAreset", started_at=demo.now, outcome=CallOutcome.RESOLVED))
    engine.dispose()

    status = main(["seed", "--database-url", sqlite_url, "--today", "2026-03-02", "--reset"])

    assert status == 0
    assert _count(sqlite_url, Call) == 0
    assert _count(sqlite_url, Patient) == 300
