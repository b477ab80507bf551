"""Console sessions: a signed cookie holding the staff user's id and a CSRF token.

The cookie is signed (not encrypted) with ``settings.secret_key`` through itsdangerous, so it
carries no patient data and nothing secret beyond the CSRF token the page shows anyway. It is
HttpOnly, SameSite=Lax, and Secure in every environment except development.

Every visitor gets a session, signed in or not, so that the sign-in form has a CSRF token
too. Signing in issues a new session with a new token, which defeats session fixation.
A session also records a fingerprint of the user's password hash: changing the password ends
every other session of that user.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from frontdesk.settings import Settings

COOKIE_NAME = "frontdesk_console"
COOKIE_PATH = "/"
MAX_AGE_SECONDS = 12 * 60 * 60
"""A session ends twelve hours after sign-in, about one long front-office shift."""

_SALT = "frontdesk.console.session"


def new_csrf_token() -> str:
    """Return a fresh random CSRF token."""
    return secrets.token_urlsafe(32)


@dataclass
class ConsoleSession:
    """The contents of the console cookie; ``changed`` marks a cookie that must be sent again."""

    csrf_token: str = field(default_factory=new_csrf_token)
    user_id: int | None = None
    password_fingerprint: str | None = None
    changed: bool = False

    def sign_in(self, user_id: int, password_hash: str) -> None:
        """Bind the session to a staff user and rotate the CSRF token."""
        self.user_id = user_id
        self.password_fingerprint = password_fingerprint(password_hash)
        self.csrf_token = new_csrf_token()
        self.changed = True

    def sign_out(self) -> None:
        """Forget the staff user and rotate the CSRF token."""
        self.user_id = None
        self.password_fingerprint = None
        self.csrf_token = new_csrf_token()
        self.changed = True

    def csrf_matches(self, token: str | None) -> bool:
        """Return whether ``token`` equals this session's CSRF token (constant time)."""
        if not token:
            return False
        return hmac.compare_digest(token.encode(), self.csrf_token.encode())


def password_fingerprint(password_hash: str) -> str:
    """Return a short digest of a password hash, which changes whenever the password does."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt=_SALT)


def load_session(settings: Settings, cookie: str | None) -> ConsoleSession:
    """Decode the cookie, or start a new anonymous session if it is missing, forged or old."""
    if cookie:
        try:
            data: Any = _serializer(settings).loads(cookie, max_age=MAX_AGE_SECONDS)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("csrf"), str):
            user_id = data.get("uid")
            fingerprint = data.get("pw")
            return ConsoleSession(
                csrf_token=data["csrf"],
                user_id=user_id if isinstance(user_id, int) else None,
                password_fingerprint=fingerprint if isinstance(fingerprint, str) else None,
            )
    return ConsoleSession(changed=True)


def save_session(settings: Settings, response: Response, session: ConsoleSession) -> None:
    """Set the signed session cookie on ``response``."""
    payload = {
        "csrf": session.csrf_token,
        "uid": session.user_id,
        "pw": session.password_fingerprint,
    }
    response.set_cookie(
        COOKIE_NAME,
        _serializer(settings).dumps(payload),
        max_age=MAX_AGE_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=settings.environment != "development",
    )
