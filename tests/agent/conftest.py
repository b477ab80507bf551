"""Fixtures for the agent tests: a call on a freshly seeded demo clinic."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import make_engine, make_session_factory


@pytest.fixture
def sqlite_factory(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on this test's own seeded demo clinic, on SQLite."""
    engine = make_engine(sqlite_url)
    yield make_session_factory(engine)
    engine.dispose()
