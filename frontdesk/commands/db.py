"""``frontdesk db upgrade``: apply the clinic database migrations."""

from __future__ import annotations

import argparse
from typing import Any

from clinic.migrate import upgrade
from frontdesk.settings import Settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="manage the clinic database schema")
    actions = parser.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    upgrade_parser = actions.add_parser("upgrade", help="apply all pending migrations")
    upgrade_parser.add_argument(
        "--database-url", help="SQLAlchemy URL (default: FRONTDESK_DATABASE_URL)"
    )
    upgrade_parser.set_defaults(handler=_upgrade)


def _upgrade(args: argparse.Namespace) -> int:
    url = args.database_url or Settings().database_url
    upgrade(url)
    print("Database schema is up to date.")
    return 0
