"""Database fixtures: a freshly seeded demo clinic per test, on SQLite and PostgreSQL.

The demo clinic is seeded once per test session into a template: an SQLite file and a
PostgreSQL template database. Each test gets a copy of it, which costs about a tenth of a
second instead of a full seed. Names carry the pytest process id, so several test runs can
share one PostgreSQL server.

PostgreSQL is expected at ``FRONTDESK_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). When it is unreachable the
PostgreSQL half of the tests fails, unless ``FRONTDESK_TEST_SKIP_POSTGRES=1`` makes it skip.
Deselect it with ``-m "not postgres"``.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import make_engine, make_session_factory
from clinic.demo import DEMO_TODAY, DemoFacts, seed_demo_clinic
from clinic.migrate import upgrade
from tools.base import CallContext

POSTGRES_URL = os.environ.get(
    "FRONTDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SKIP_POSTGRES = os.environ.get("FRONTDESK_TEST_SKIP_POSTGRES") == "1"
DEMO_SEED = 7

_database_numbers = itertools.count(1)


def _seed_template(url: str) -> DemoFacts:
    upgrade(url)
    engine = make_engine(url)
    try:
        return seed_demo_clinic(make_session_factory(engine), today=DEMO_TODAY, seed=DEMO_SEED)
    finally:
        engine.dispose()


# --- SQLite ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _SQLiteTemplate:
    path: Path
    facts: DemoFacts


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> _SQLiteTemplate:
    path = tmp_path_factory.mktemp("db") / f"demo-template-{os.getpid()}.sqlite3"
    facts = _seed_template(f"sqlite:///{path}")
    # Disposing the engine checkpoints the WAL into the main file, which alone is copied.
    return _SQLiteTemplate(path, facts)


@pytest.fixture
def sqlite_url(_sqlite_template: _SQLiteTemplate, tmp_path: Path) -> str:
    """URL of a freshly seeded demo clinic in an SQLite file of this test's own."""
    path = tmp_path / f"demo-{os.getpid()}-{next(_database_numbers)}.sqlite3"
    shutil.copyfile(_sqlite_template.path, path)
    return f"sqlite:///{path}"


# --- PostgreSQL -----------------------------------------------------------------------


def _admin_engine() -> Engine:
    # CREATE and DROP DATABASE cannot run inside a transaction.
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def _database_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An autocommit engine on the PostgreSQL test server, for creating databases."""
    engine = _admin_engine()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        engine.dispose()
        message = (
            f"PostgreSQL is unreachable at {make_url(POSTGRES_URL).render_as_string()}: "
            f"{error.__class__.__name__}: {error}. Start it, point FRONTDESK_TEST_POSTGRES_URL "
            "at a server, or set FRONTDESK_TEST_SKIP_POSTGRES=1 to skip PostgreSQL tests."
        )
        if SKIP_POSTGRES:
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    yield engine
    engine.dispose()


def create_postgres_database(admin: Engine, *, template: str | None = None) -> str:
    """Create a database with a process-unique name and return that name."""
    name = f"frontdesk_test_{os.getpid()}_{next(_database_numbers)}"
    clause = f" TEMPLATE {template}" if template else ""
    with admin.connect() as connection:
        # A run that crashed under the same process id may have left the name behind.
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}{clause}"))
    return name


def drop_postgres_database(admin: Engine, name: str) -> None:
    """Drop a test database, closing any connection a test left open."""
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@dataclass(frozen=True)
class _PostgresTemplate:
    name: str
    facts: DemoFacts


@pytest.fixture(scope="session")
def _postgres_template(postgres_admin: Engine) -> Iterator[_PostgresTemplate]:
    name = f"frontdesk_template_{os.getpid()}"
    drop_postgres_database(postgres_admin, name)
    with postgres_admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        facts = _seed_template(_database_url(name))
        yield _PostgresTemplate(name, facts)
    finally:
        drop_postgres_database(postgres_admin, name)


@pytest.fixture
def postgres_url(postgres_admin: Engine, _postgres_template: _PostgresTemplate) -> Iterator[str]:
    """URL of a freshly seeded demo clinic in a PostgreSQL database of this test's own."""
    name = create_postgres_database(postgres_admin, template=_postgres_template.name)
    yield _database_url(name)
    drop_postgres_database(postgres_admin, name)


# --- both backends --------------------------------------------------------------------

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """URL of a freshly seeded demo clinic, once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database with no tables, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / f'empty-{os.getpid()}.sqlite3'}"
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    name = create_postgres_database(admin)
    yield _database_url(name)
    drop_postgres_database(admin, name)


@pytest.fixture
def session_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on this test's seeded demo clinic."""
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def demo(_sqlite_template: _SQLiteTemplate) -> DemoFacts:
    """Facts about the seeded demo clinic; identical on both backends (explicit ids)."""
    return _sqlite_template.facts


@pytest.fixture
def call_context(session_factory: sessionmaker[Session], demo: DemoFacts) -> CallContext:
    """A call's tool context on the demo clinic, its clock pinned to ``demo.now``."""
    pinned = demo.now
    return CallContext(
        session_factory=session_factory,
        clinic_id=demo.clinic_id,
        now=lambda: pinned,
    )
