"""Staff accounts: creation, password changes and sign-in with lockout.

Five failed sign-ins in a row lock an account for fifteen minutes. Every failure, whether the
username is unknown, the password is wrong or the account is locked or disabled, looks the
same to the person signing in, so the sign-in form cannot be used to find valid usernames.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.models import AuditEvent, StaffRole, StaffUser
from console.passwords import (
    check_password_policy,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)

logger = logging.getLogger(__name__)

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


class StaffUserError(ValueError):
    """Raised when a staff account cannot be created or changed as requested."""


@dataclass(frozen=True)
class SignInResult:
    """The outcome of one sign-in attempt; ``user`` is None on any failure."""

    user: StaffUser | None
    locked_now: bool = False


def normalize_username(username: str) -> str:
    """Return the stored form of a username (trimmed, lower case)."""
    return username.strip().lower()


def create_staff_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: StaffRole,
    display_name: str | None = None,
    now: datetime | None = None,
) -> StaffUser:
    """Create a staff account with an argon2 password hash.

    Raises:
        StaffUserError: The username is malformed or already taken.
        PasswordPolicyError: The password is too short.
    """
    name = normalize_username(username)
    if not USERNAME_PATTERN.match(name):
        raise StaffUserError(
            f"Invalid username {username!r}: use 2-80 lower-case letters, digits, '.', '_' or "
            "'-', starting with a letter or digit."
        )
    check_password_policy(password)
    if session.scalar(select(StaffUser.id).where(StaffUser.username == name)) is not None:
        raise StaffUserError(f"A staff user named {name!r} already exists.")
    user = StaffUser(
        username=name,
        display_name=(display_name or name).strip(),
        password_hash=hash_password(password),
        role=role,
        failed_logins=0,
        active=True,
        created_at=now or datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, *, username: str, password: str) -> StaffUser:
    """Replace a staff user's password and clear any lockout.

    Raises:
        StaffUserError: No staff user has that username.
        PasswordPolicyError: The password is too short.
    """
    check_password_policy(password)
    user = find_staff_user(session, username)
    if user is None:
        raise StaffUserError(f"No staff user named {normalize_username(username)!r} exists.")
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    return user


def find_staff_user(
    session: Session, username: str, *, for_update: bool = False
) -> StaffUser | None:
    """Return the staff user with ``username`` (case-insensitive), or None.

    ``for_update`` locks the row on PostgreSQL so that concurrent sign-ins count every
    failure; SQLite transactions already run one writer at a time.
    """
    query = select(StaffUser).where(StaffUser.username == normalize_username(username))
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def sign_in(
    session: Session, *, username: str, password: str, now: datetime | None = None
) -> SignInResult:
    """Check a username and password, counting failures towards the lockout.

    The caller commits the session so that failure counts and audit events persist.
    """
    now = now or datetime.now(UTC)
    user = find_staff_user(session, username, for_update=True)
    if user is None or not user.active:
        # Spend the same time as a real check so timing does not reveal the username.
        verify_password(dummy_hash(), password)
        return SignInResult(user=None)

    if user.locked_until is not None and user.locked_until > now:
        verify_password(dummy_hash(), password)
        _audit(session, user, "login_rejected_locked", now)
        return SignInResult(user=None)
    if user.locked_until is not None:
        # The lock has expired: the next attempts start a fresh count.
        user.locked_until = None
        user.failed_logins = 0

    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        locked_now = user.failed_logins >= MAX_FAILED_LOGINS
        if locked_now:
            user.locked_until = now + LOCKOUT
            logger.warning(
                "Staff account locked after failed sign-ins",
                extra={"staff_user_id": user.id, "failed_logins": user.failed_logins},
            )
        _audit(session, user, "lockout" if locked_now else "login_failed", now)
        return SignInResult(user=None, locked_now=locked_now)

    user.failed_logins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    _audit(session, user, "login", now)
    return SignInResult(user=user)


def _audit(session: Session, user: StaffUser, action: str, now: datetime) -> None:
    session.add(
        AuditEvent(
            at=now,
            actor=f"staff:{user.username}",
            action=action,
            resource="staff_user",
            resource_id=user.id,
            staff_user_id=user.id,
        )
    )
