"""Rows of a seeded clinic, built in memory and inserted table by table in bulk."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from clinic.db import transaction
from clinic.models import Base


class RowSet:
    """Rows by table name, with primary keys assigned here rather than by the database.

    Explicit keys make the seeded ids identical on SQLite and PostgreSQL and let rows refer
    to each other before anything is inserted.
    """

    def __init__(self) -> None:
        self.tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._next_id: dict[str, int] = defaultdict(lambda: 1)

    def add(self, table: str, **values: Any) -> int:
        """Append a row to ``table`` with the next free ``id`` and return that id."""
        row_id = self._next_id[table]
        self._next_id[table] = row_id + 1
        self.tables[table].append({"id": row_id, **values})
        return row_id

    def add_keyless(self, table: str, **values: Any) -> None:
        """Append a row whose primary key is among ``values`` (link and block tables)."""
        self.tables[table].append(values)

    def counts(self) -> dict[str, int]:
        """Return the number of rows per table, for tables with any."""
        return {name: len(rows) for name, rows in self.tables.items() if rows}


def insert_rows(session_factory: sessionmaker[Session], rows: RowSet) -> None:
    """Insert every row in foreign-key order in one transaction.

    Raises:
        ValueError: When the database already contains a clinic, because seeding never
            mixes two clinics in one database.
    """
    with transaction(session_factory) as session:
        if session.scalar(select(func.count()).select_from(Base.metadata.tables["clinic"])):
            raise ValueError(
                "Seeding failed: the database already contains a clinic. Seed an empty database, "
                "or reset this one with `frontdesk seed --reset`."
            )
        for table in Base.metadata.sorted_tables:
            table_rows = rows.tables.get(table.name)
            if table_rows:
                session.execute(table.insert(), table_rows)
        if session.get_bind().dialect.name == "postgresql":
            _advance_sequences(session, rows)


def _advance_sequences(session: Session, rows: RowSet) -> None:
    # Explicit ids leave PostgreSQL's sequences at 1; move them past the seeded rows so the
    # next insert without an id does not collide.
    for name, table_rows in rows.tables.items():
        if not table_rows or "id" not in table_rows[0]:
            continue
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                f'(SELECT max(id) FROM "{name}"))'
            )
        )
