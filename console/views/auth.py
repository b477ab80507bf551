"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from console.audit import record_access
from console.deps import (
    PREFIX,
    ConsoleRoute,
    CurrentUser,
    DbSession,
    browser_session,
    safe_next_path,
)
from console.templating import render
from console.users import LOCKOUT, MAX_FAILED_LOGINS, sign_in

router = APIRouter(route_class=ConsoleRoute)

# The same words for an unknown user, a wrong password and a locked account, so the form
# does not reveal which usernames exist.
SIGN_IN_FAILED = (
    "Sign-in failed. Check your username and password. After "
    f"{MAX_FAILED_LOGINS} failed attempts an account is locked for "
    f"{int(LOCKOUT.total_seconds() // 60)} minutes."
)


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    """Show the sign-in form."""
    if browser_session(request).user_id is not None:
        return RedirectResponse(safe_next_path(next), status_code=303)
    return render(request, "login.html", {"next": safe_next_path(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    db: DbSession,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the credentials and start a signed-in session."""
    result = sign_in(db, username=username, password=password)
    db.commit()
    if result.user is None:
        context = {"next": safe_next_path(next), "error": SIGN_IN_FAILED, "username": username}
        return render(request, "login.html", context, status_code=401)
    browser_session(request).sign_in(result.user.id, result.user.password_hash)
    return RedirectResponse(safe_next_path(next), status_code=303)


@router.post("/logout")
def logout(
    request: Request,
    user: CurrentUser,
    db: DbSession,
) -> Response:
    """End the session and return to the sign-in page."""
    record_access(
        db, user, action="logout", resource="staff_user", resource_id=user.id, patient_id=None
    )
    db.commit()
    browser_session(request).sign_out()
    return RedirectResponse(f"{PREFIX}/login", status_code=303)
