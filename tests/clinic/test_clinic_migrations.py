"""The Alembic migrations: a full round trip on both backends, and agreement with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from clinic.db import make_engine
from clinic.migrate import downgrade, upgrade
from clinic.models import Base

MODEL_TABLES = set(Base.metadata.tables)


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_database_url):
    upgrade(empty_database_url)
    assert _tables(empty_database_url) == MODEL_TABLES | {"alembic_version"}

    downgrade(empty_database_url, "base")
    assert _tables(empty_database_url) == {"alembic_version"}

    upgrade(empty_database_url)
    assert _tables(empty_database_url) == MODEL_TABLES | {"alembic_version"}


def test_migrations_match_models(empty_database_url):
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
