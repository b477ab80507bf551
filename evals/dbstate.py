"""Snapshots of the clinic tables a call may change, and the diff between two of them.

Grading compares the database after the call with the fixture before it: the rows a
scenario expects must be among the created, updated or deleted rows, and in the tables the
scenario names nothing else may differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clinic.models import AppointmentType, Base, Patient, Prescription, Provider

Row = dict[str, Any]
Snapshot = dict[str, dict[tuple[Any, ...], Row]]


def snapshot(session_factory: sessionmaker[Session], tables: list[str]) -> Snapshot:
    """Read every row of ``tables``, keyed by primary key."""
    result: Snapshot = {}
    with session_factory() as session:
        for name in tables:
            table = Base.metadata.tables[name]
            key_columns = [c.name for c in table.primary_key.columns]
            rows: dict[tuple[Any, ...], Row] = {}
            for record in session.execute(select(table)).mappings():
                row = dict(record)
                rows[tuple(row[c] for c in key_columns)] = row
            result[name] = rows
    return result


@dataclass
class TableDiff:
    """What changed in one table; ``updated`` holds (before, after) pairs."""

    created: list[Row] = field(default_factory=list)
    updated: list[tuple[Row, Row]] = field(default_factory=list)
    deleted: list[Row] = field(default_factory=list)

    def is_empty(self) -> bool:
        """Whether nothing changed."""
        return not (self.created or self.updated or self.deleted)


def diff(before: Snapshot, after: Snapshot) -> dict[str, TableDiff]:
    """Compare two snapshots of the same tables."""
    changes: dict[str, TableDiff] = {}
    for name, old_rows in before.items():
        new_rows = after.get(name, {})
        table_diff = TableDiff()
        for key, row in new_rows.items():
            old = old_rows.get(key)
            if old is None:
                table_diff.created.append(row)
            elif old != row:
                table_diff.updated.append((old, row))
        table_diff.deleted = [row for key, row in old_rows.items() if key not in new_rows]
        changes[name] = table_diff
    return changes


class References:
    """Resolve the names a scenario uses (patient, provider...) to database ids."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    def ids(self, key: str, name: str) -> set[int]:
        """Return the ids of the rows that ``name`` may mean for reference ``key``."""
        wanted = name.strip().casefold()
        with self._factory() as session:
            if key == "patient":
                return {
                    p.id
                    for p in session.scalars(select(Patient))
                    if f"{p.first_name} {p.last_name}".casefold() == wanted
                }
            if key in ("provider", "prescriber"):
                return {
                    p.id
                    for p in session.scalars(select(Provider))
                    if wanted
                    in (
                        p.last_name.casefold(),
                        p.display_name.casefold(),
                        f"{p.first_name} {p.last_name}".casefold(),
                    )
                }
            if key == "appointment_type":
                return {
                    t.id
                    for t in session.scalars(select(AppointmentType))
                    if wanted in (t.code.casefold(), t.name.casefold())
                }
            if key == "prescription":
                return {
                    p.id
                    for p in session.scalars(select(Prescription))
                    if p.drug_name.casefold() == wanted
                }
        raise KeyError(key)
