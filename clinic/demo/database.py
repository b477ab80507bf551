"""A ready demo clinic in a fresh SQLite file, for the chat, call and demo commands."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from clinic.db import make_engine, make_session_factory
from clinic.demo.seed import seed_demo_clinic
from clinic.migrate import upgrade


def create_demo_database(directory: Path, today: date | None) -> tuple[str, datetime | None]:
    """Migrate and seed the demo clinic into ``directory/demo.sqlite3``.

    Args:
        directory: An existing, empty directory that the caller removes afterwards.
        today: The date to seed around, with the clock pinned to 9:00 AM local on it;
            None seeds around the real date and keeps the real clock.

    Returns:
        The database URL and the pinned time, or None when the clock is real.
    """
    url = f"sqlite:///{directory / 'demo.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        if today is None:
            seed_demo_clinic(factory, today=date.today(), now=datetime.now(UTC))
            return url, None
        facts = seed_demo_clinic(factory, today=today)
        return url, facts.now
    finally:
        engine.dispose()
