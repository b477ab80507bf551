"""The ``frontdesk`` command: one sub-command per module in :mod:`frontdesk.commands`."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from frontdesk import commands


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
    status: int = args.handler(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
