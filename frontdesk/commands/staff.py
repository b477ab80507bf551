"""``frontdesk staff``: create staff console accounts and reset their passwords.

Passwords are prompted for twice on a terminal, or read from the first line of standard input
with ``--password-stdin`` (for scripts), never taken as a command-line argument, which other
users of the machine could read from the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from sqlalchemy.exc import OperationalError, ProgrammingError

from clinic.db import make_engine, make_session_factory, transaction
from clinic.models import StaffRole
from console.passwords import PasswordPolicyError, check_password_policy
from console.users import StaffUserError, create_staff_user, set_password
from frontdesk.settings import Settings


class PasswordInputError(ValueError):
    """Raised when no usable password was entered."""


def register(subparsers: Any) -> None:
    """Add the ``staff`` sub-command and its actions."""
    parser = subparsers.add_parser("staff", help="manage staff console accounts")
    actions = parser.add_subparsers(dest="staff_action", required=True, metavar="ACTION")

    admin = actions.add_parser("create-admin", help="create an administrator account")
    _add_common(admin)
    admin.set_defaults(handler=_create_admin)

    user = actions.add_parser("create-user", help="create a staff account with a role")
    _add_common(user)
    user.add_argument(
        "--role",
        choices=[role.value for role in StaffRole],
        default=StaffRole.FRONT_DESK.value,
        help="the account's role (default: front_desk)",
    )
    user.set_defaults(handler=_create_user)

    password = actions.add_parser(
        "set-password", help="replace an account's password and clear its lockout"
    )
    password.add_argument("--username", required=True, help="the account's username")
    _add_password_source(password)
    password.add_argument("--database-url", help="SQLAlchemy URL (default: FRONTDESK_DATABASE_URL)")
    password.set_defaults(handler=_set_password)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--username", required=True, help="sign-in name (lower case)")
    parser.add_argument("--display-name", help="the name shown in the console")
    _add_password_source(parser)
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: FRONTDESK_DATABASE_URL)")


def _add_password_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of prompting",
    )


def read_password(args: argparse.Namespace) -> str:
    """Read the new password from standard input or an interactive prompt.

    Raises:
        PasswordInputError: The input was empty or the two prompts differed.
        PasswordPolicyError: The password is too short.
    """
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise PasswordInputError("No password on standard input.")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat the password: ") != password:
            raise PasswordInputError("The two passwords differ; nothing was changed.")
    check_password_policy(password)
    return password


def _create_admin(args: argparse.Namespace) -> int:
    return _create(args, StaffRole.ADMIN)


def _create_user(args: argparse.Namespace) -> int:
    return _create(args, StaffRole(args.role))


def _create(args: argparse.Namespace, role: StaffRole) -> int:
    try:
        password = read_password(args)
        factory = make_session_factory(make_engine(args.database_url or Settings().database_url))
        with transaction(factory) as session:
            user = create_staff_user(
                session,
                username=args.username,
                password=password,
                role=role,
                display_name=args.display_name,
            )
            username = user.username
    except (PasswordInputError, PasswordPolicyError, StaffUserError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (OperationalError, ProgrammingError) as error:
        print(_database_error(error), file=sys.stderr)
        return 1
    print(f"Created {role.value} account {username!r}.")
    return 0


def _set_password(args: argparse.Namespace) -> int:
    try:
        password = read_password(args)
        factory = make_session_factory(make_engine(args.database_url or Settings().database_url))
        with transaction(factory) as session:
            user = set_password(session, username=args.username, password=password)
            username = user.username
    except (PasswordInputError, PasswordPolicyError, StaffUserError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (OperationalError, ProgrammingError) as error:
        print(_database_error(error), file=sys.stderr)
        return 1
    print(f"Password changed for {username!r}; the account is unlocked.")
    return 0


def _database_error(error: Exception) -> str:
    return (
        f"error: the database rejected the change ({type(error).__name__}). Check "
        "FRONTDESK_DATABASE_URL and run 'frontdesk db upgrade' to create the tables."
    )
