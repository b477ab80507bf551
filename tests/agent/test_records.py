"""The call record the session writes: transcript turns, outcome, summary, brain."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clinic.demo import DemoFacts
from clinic.models import Call as CallRow
from clinic.models import CallOutcome, TranscriptTurn
from frontdesk.cli import main
from tests.agent.harness import Call


def transcript(factory: sessionmaker[Session], call_id: int | None) -> list[TranscriptTurn]:
    with factory() as session:
        return list(
            session.scalars(
                select(TranscriptTurn)
                .where(TranscriptTurn.call_id == call_id)
                .order_by(TranscriptTurn.seq)
            )
        )


async def test_booking_call_is_recorded(
    session_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(session_factory, demo)
    await call.script(
        "I'd like to book a follow-up with Dr. Patel next Tuesday",
        "Margaret Chen, April 12th 1958",
        "the first one",
        "yes",
        "no, that's all",
    )
    await call.session.finish()

    call_id = call.session.ctx.call_id
    turns = transcript(session_factory, call_id)
    assert [t.speaker for t in turns[:3]] == ["agent", "caller", "agent"]
    assert turns[0].text.startswith("Thank you for calling Maple Grove Family Medicine.")
    assert turns[1].text == "I'd like to book a follow-up with Dr. Patel next Tuesday"
    assert sum(t.speaker == "caller" for t in turns) == 5
    assert turns[-1].speaker == "agent"
    assert "Goodbye" in turns[-1].text
    with session_factory() as session:
        row = session.get(CallRow, call_id)
        assert row is not None
        assert row.outcome is CallOutcome.RESOLVED
        assert row.patient_id == demo.established_patient.id
        assert row.brain == "offline"
        assert row.summary is not None
        assert "Verified Margaret Chen." in row.summary
        assert "You're all set" in row.summary
        assert not row.escalated


async def test_transferred_call_outcome(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)
    await call.script("Can I speak to a receptionist please")
    await call.session.finish(outcome="dropped")

    with sqlite_factory() as session:
        row = session.get(CallRow, call.session.ctx.call_id)
        assert row is not None
        assert row.outcome is CallOutcome.TRANSFERRED
        assert row.escalated


async def test_call_where_nothing_happened_keeps_the_given_outcome(
    sqlite_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    call = Call(sqlite_factory, demo)
    await call.greet()
    await call.session.finish(outcome="dropped")

    with sqlite_factory() as session:
        row = session.get(CallRow, call.session.ctx.call_id)
        assert row is not None
        assert row.outcome is CallOutcome.DROPPED


def test_chat_command_runs_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "caller.txt"
    script.write_text(
        "I need a refill of my lisinopril\nMargaret Chen\nApril 12th, 1958\nyes\nno thanks\n"
    )

    status = main(
        ["chat", "--demo", "--today", "2026-03-02", "--show-tools", "--script", str(script)]
    )

    out = capsys.readouterr().out
    assert status == 0
    assert "Agent: Thank you for calling Maple Grove Family Medicine." in out
    assert "[tool] request_refill" in out
    assert "Changes in the database:" in out
    assert "new refill request" in out
    assert "Lisinopril" in out


@pytest.mark.parametrize(
    "lines",
    [
        ["I'd like to book a follow-up with Dr. Patel", "Margaret Chen, April 12th 1958"],
        ["I want to end it all"],
        ["Can I talk to a real person?"],
    ],
)
async def test_finished_call_logs_one_info_line(
    sqlite_factory: sessionmaker[Session],
    demo: DemoFacts,
    caplog: pytest.LogCaptureFixture,
    lines: list[str],
) -> None:
    call = Call(sqlite_factory, demo)
    caplog.set_level(logging.DEBUG)

    await call.script(*lines)
    await call.session.finish()
    await call.session.finish()

    ours = [r for r in caplog.records if r.name.split(".")[0] in ("agent", "clinic", "tools")]
    infos = [record for record in ours if record.levelno >= logging.INFO]
    assert [record.getMessage() for record in infos] == ["Call finished"]
    [summary] = infos
    assert summary.__dict__["call_sid"] == call.call_sid
    assert summary.__dict__["call_id"] == call.session.ctx.call_id
    with sqlite_factory() as session:
        row = session.get(CallRow, call.session.ctx.call_id)
        assert row is not None
        assert summary.__dict__["outcome"] == row.outcome.value
