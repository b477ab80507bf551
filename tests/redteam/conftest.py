"""Fixtures for the adversarial tests: a seeded demo clinic per test, and a recorded call."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clinic.calls import start_call
from clinic.db import make_engine, make_session_factory
from clinic.demo import DemoFacts
from tools.base import CallContext

_call_numbers = itertools.count(1)


@pytest.fixture
def sqlite_factory(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on this test's own seeded demo clinic, on SQLite."""
    engine = make_engine(sqlite_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def ctx(call_context: CallContext, demo: DemoFacts) -> CallContext:
    """The demo clinic's call context with a ``call`` row, on SQLite and PostgreSQL."""
    call_context.call_id = start_call(
        call_context.session_factory,
        call_sid=f"CA-redteam-{next(_call_numbers)}",
        channel="eval",
        from_number=None,
        to_number=None,
        now=demo.now,
    )
    return call_context
