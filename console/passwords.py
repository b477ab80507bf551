"""Staff password hashing with argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 12


class PasswordPolicyError(ValueError):
    """Raised when a new password is too weak to store."""


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def check_password_policy(password: str) -> None:
    """Reject a password that is too short to resist guessing.

    Raises:
        PasswordPolicyError: The password has fewer than ``MIN_PASSWORD_LENGTH`` characters.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"The password has {len(password)} characters; use at least {MIN_PASSWORD_LENGTH}."
        )


def hash_password(password: str) -> str:
    """Hash ``password`` for storage in ``staff_user.password_hash``."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Return whether ``password`` matches ``password_hash``; a malformed hash never matches."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Return whether the hash was made with weaker parameters than the current ones."""
    return _hasher().check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Return a hash of a random password to verify against for unknown users.

    Verifying a hash on every sign-in attempt keeps the response time the same whether or
    not the username exists.
    """
    return hash_password(secrets.token_urlsafe(32))
