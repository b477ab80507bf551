"""Slot searches run in read-only transactions, which on SQLite do not wait for writers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import InternalError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import make_engine, make_session_factory, transaction
from clinic.demo import DemoFacts
from clinic.models import Clinic
from tools.base import CallContext
from tools.registry import call_tool

SHORT_BUSY_TIMEOUT_MS = 200
"""Long enough for an uncontended lock, short enough that a blocked test fails quickly."""


def _short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
    # Runs after make_engine's own connect listener, so it replaces the 30-second timeout.
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SHORT_BUSY_TIMEOUT_MS}")
    cursor.close()


@pytest.fixture
def impatient_factory(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on the demo clinic in SQLite that give up on a held lock after 200 ms."""
    engine = make_engine(sqlite_url)
    event.listen(engine, "connect", _short_busy_timeout)
    yield make_session_factory(engine)
    engine.dispose()


async def test_searches_run_while_writer_holds_lock(
    impatient_factory: sessionmaker[Session], demo: DemoFacts
) -> None:
    searches = [
        CallContext(
            session_factory=impatient_factory, clinic_id=demo.clinic_id, now=lambda: demo.now
        )
        for _ in range(4)
    ]
    with transaction(impatient_factory) as writer:
        # BEGIN IMMEDIATE: this transaction holds the write lock until the block ends.
        writer.execute(update(Clinic).values(name=Clinic.name))

        results = await asyncio.gather(
            *(
                call_tool(ctx, "find_open_slots", {"appointment_type": "sick_visit"})
                for ctx in searches
            )
        )

    for result in results:
        assert result.ok, result.message
        assert result.data["slots"]


def test_second_writer_waits_for_lock(impatient_factory: sessionmaker[Session]) -> None:
    with transaction(impatient_factory) as writer:
        writer.execute(update(Clinic).values(name=Clinic.name))

        with (
            pytest.raises(OperationalError, match="database is locked"),
            transaction(impatient_factory) as other,
        ):
            other.scalar(select(func.count()).select_from(Clinic))


def test_read_only_transaction_rejects_writes(session_factory: sessionmaker[Session]) -> None:
    with (
        pytest.raises((OperationalError, InternalError)),
        transaction(session_factory, read_only=True) as session,
    ):
        session.execute(update(Clinic).values(name="Renamed"))

    with session_factory() as session:
        assert session.scalar(select(func.count()).where(Clinic.name == "Renamed")) == 0


def test_writes_work_after_read_only_transaction(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory, read_only=True) as session:
        clinic_count = session.scalar(select(func.count()).select_from(Clinic))

    with transaction(session_factory) as session:
        session.execute(update(Clinic).values(name="Renamed"))

    with session_factory() as session:
        assert session.scalar(select(func.count()).where(Clinic.name == "Renamed")) == clinic_count
