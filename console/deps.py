"""Request plumbing shared by every console page: sessions, CSRF, sign-in and roles.

Every console route uses :class:`ConsoleRoute`, which loads the session cookie before the
handler runs, turns the console's own exceptions into HTML pages (or a redirect to the
sign-in page), sends the cookie back when it changed and adds security headers. Doing this
in the route class rather than in app middleware keeps the console a self-contained router.

Exceptions::

    ConsoleError            rendered as an HTML error page with its status code
    +-- Forbidden           403: wrong role, or a form without its CSRF token
    +-- NotFound            404
    LoginRequired           303 redirect to the sign-in page
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker

from clinic.models import StaffRole, StaffUser
from console.sessions import (
    COOKIE_NAME,
    ConsoleSession,
    load_session,
    password_fingerprint,
    save_session,
)
from console.templating import render
from frontdesk.settings import Settings

logger = logging.getLogger(__name__)

PREFIX = "/console"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

# Pages show patient data: keep them out of shared caches and other sites' frames.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "media-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
}


class ConsoleError(Exception):
    """An error shown to the staff user as a page with ``status_code``."""

    status_code = 400
    title = "Request failed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Forbidden(ConsoleError):
    status_code = 403
    title = "Not allowed"


class NotFound(ConsoleError):
    status_code = 404
    title = "Not found"


class LoginRequired(Exception):
    """Raised when a page needs a signed-in staff user and there is none."""


def get_settings(request: Request) -> Settings:
    """Return the settings the app factory stored in ``app.state.settings``."""
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """Open a database session for one request; handlers commit what they change."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        yield session


def browser_session(request: Request) -> ConsoleSession:
    """Return the console session that :class:`ConsoleRoute` loaded for this request."""
    session: ConsoleSession = request.state.console_session
    return session


async def verify_csrf(request: Request) -> None:
    """Reject an unsafe request whose form field or header lacks the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    if not browser_session(request).csrf_matches(token):
        raise Forbidden(
            "The form was missing its security token or the token had expired. Go back, "
            "reload the page and submit it again."
        )


def current_user(request: Request, db: Annotated[Session, Depends(get_db)]) -> StaffUser:
    """Return the signed-in staff user, or send the browser to the sign-in page."""
    session = browser_session(request)
    if session.user_id is None:
        raise LoginRequired
    user = db.get(StaffUser, session.user_id)
    if user is None or not user.active or not _fingerprint_matches(session, user):
        session.sign_out()
        raise LoginRequired
    request.state.staff_user = user
    return user


def require_admin(user: Annotated[StaffUser, Depends(current_user)]) -> StaffUser:
    """Return the signed-in user if they are an admin; front-desk users get a 403 page."""
    if user.role != StaffRole.ADMIN:
        raise Forbidden("This page is for clinic administrators.")
    return user


DbSession = Annotated[Session, Depends(get_db)]
CurrentUser = Annotated[StaffUser, Depends(current_user)]
AdminUser = Annotated[StaffUser, Depends(require_admin)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _fingerprint_matches(session: ConsoleSession, user: StaffUser) -> bool:
    return session.password_fingerprint == password_fingerprint(user.password_hash)


def safe_next_path(value: str | None) -> str:
    """Return ``value`` if it is a console path on this site, else the console home.

    Only local console paths are accepted so that a crafted sign-in link cannot send the
    user to another site after signing in.
    """
    if value and value.startswith(PREFIX) and not value.startswith("//") and "\\" not in value:
        return value
    return f"{PREFIX}/"


def login_redirect(request: Request) -> RedirectResponse:
    """Redirect to the sign-in page, returning to the current page afterwards."""
    target = request.url.path
    if request.method in SAFE_METHODS and request.url.query:
        target = f"{target}?{request.url.query}"
    if request.method not in SAFE_METHODS:
        target = f"{PREFIX}/"
    return RedirectResponse(f"{PREFIX}/login?next={quote(target, safe='')}", status_code=303)


class ConsoleRoute(APIRoute):
    """An API route that manages the console session and renders console errors."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            settings = get_settings(request)
            session = load_session(settings, request.cookies.get(COOKIE_NAME))
            request.state.console_session = session
            try:
                response = await original(request)
            except LoginRequired:
                response = login_redirect(request)
            except ConsoleError as error:
                if isinstance(error, Forbidden):
                    logger.warning(
                        "Console request rejected",
                        extra={
                            "method": request.method,
                            "path": request.url.path,
                            "staff_user_id": session.user_id,
                        },
                    )
                response = render(
                    request,
                    "error.html",
                    {"title": error.title, "message": error.message},
                    status_code=error.status_code,
                )
            if session.changed:
                save_session(settings, response, session)
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return handler
