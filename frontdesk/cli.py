"""The ``frontdesk`` command: one sub-command per module in :mod:`frontdesk.commands`."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from frontdesk import commands
from frontdesk.settings import SettingsError


def build_parser() -> argparse.ArgumentParser:
    """Collect every sub-command module's ``register(subparsers)`` into one parser."""
    parser = argparse.ArgumentParser(
        prog="frontdesk", description="Frontdesk, the AI voice receptionist for clinics."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        status: int = args.handler(args)
    except (ValidationError, SettingsError) as error:
        print(f"frontdesk: invalid settings: {describe_settings_error(error)}", file=sys.stderr)
        return 2
    except (ArgumentError, OperationalError, ProgrammingError) as error:
        # The driver's message can quote SQL parameters, so only the error type is shown.
        print(
            f"frontdesk: the database is unusable ({type(error).__name__}). Check "
            "FRONTDESK_DATABASE_URL and run 'frontdesk db upgrade'.",
            file=sys.stderr,
        )
        return 2
    return status


def describe_settings_error(error: ValidationError | SettingsError) -> str:
    """Summarise a settings error without the values, which may contain secrets."""
    if isinstance(error, SettingsError):
        return str(error)
    problems = []
    for detail in error.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in detail["loc"])
        name = f"FRONTDESK_{field.upper()}: " if field else ""
        problems.append(f"{name}{detail['msg']}")
    return "; ".join(problems)


if __name__ == "__main__":
    sys.exit(main())
