"""Engines and sessions for the clinic database.

SQLite is the embedded default and PostgreSQL the production database; both run the same
Alembic migrations.

On SQLite a transaction starts with ``BEGIN IMMEDIATE`` by default, so concurrent writers
queue on the database lock for up to the busy timeout. With a plain ``BEGIN``, a transaction
that has read fails at once with "database is locked" when it tries to write while another
transaction holds the lock.

Work that only reads opens :func:`transaction` with ``read_only=True``. On SQLite that
transaction starts with a plain ``BEGIN`` and never takes the write lock, so in WAL mode it
reads its snapshot while a writer holds the lock, and ``PRAGMA query_only`` makes any write
in it fail at once. On PostgreSQL it is a ``READ ONLY`` transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY_OPTION = "frontdesk_read_only"
"""Connection execution option that marks a transaction as read-only; see :func:`transaction`."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``, configuring SQLite for concurrent calls.

    Database errors leave SQL parameters out of their messages (``hide_parameters``),
    because the parameters are patient details and caller words, and callers of this
    module log such errors.

    Args:
        url: Any SQLAlchemy URL, such as ``sqlite:///var/frontdesk.sqlite3`` or
            ``postgresql+psycopg://postgres@127.0.0.1:5432/test``.
        **kwargs: Passed on to :func:`sqlalchemy.create_engine`.
    """
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, **kwargs)

    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        read_only = bool(connection.get_execution_options().get(READ_ONLY_OPTION))
        # query_only belongs to the SQLite connection and outlives the transaction, so it
        # is switched only when this transaction needs the other setting.
        if connection.info.get(READ_ONLY_OPTION, False) != read_only:
            connection.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
            connection.info[READ_ONLY_OPTION] = read_only
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session], *, read_only: bool = False) -> Iterator[Session]:
    """Open a session, commit on success and roll back on any error.

    Args:
        factory: Sessions on an engine from :func:`make_engine`.
        read_only: Whether the transaction only reads. On SQLite it then neither takes nor
            waits for the write lock, so concurrent reads are not serialised behind
            writers. Any write in it raises :class:`sqlalchemy.exc.OperationalError` on
            SQLite and :class:`sqlalchemy.exc.InternalError` on PostgreSQL.
    """
    with factory() as session, session.begin():
        if read_only:
            options: dict[str, Any] = {READ_ONLY_OPTION: True}
            if session.get_bind().dialect.name == "postgresql":
                options["postgresql_readonly"] = True
            session.connection(execution_options=options)
        yield session
