"""The staff console's router: include it in the FastAPI app to serve ``/console``.

The app must set ``app.state.settings`` (:class:`frontdesk.settings.Settings`) and
``app.state.session_factory`` (a SQLAlchemy ``sessionmaker``) before serving requests. The
router serves its own stylesheet, so no static mount is needed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import func, select

from clinic.models import Call, Clinic
from console.calls import UNRESOLVED_OUTCOMES, clinic_zone, local_day_bounds
from console.deps import PREFIX, ConsoleRoute, CurrentUser, DbSession, verify_csrf
from console.queue import PRIORITIES, queue_counts
from console.templating import STATIC_DIR, render
from console.views import admin, auth, calls, queue

STATIC_FILES = frozenset({"console.css"})

pages = APIRouter(route_class=ConsoleRoute)


@pages.get("/")
def home(
    request: Request,
    user: CurrentUser,
    db: DbSession,
) -> Response:
    """Show the queue counts per kind and urgency and today's call figures."""
    zone = clinic_zone(db)
    today_local = datetime.now(UTC).astimezone(zone).date()
    start, end = local_day_bounds(today_local, zone)
    today = (Call.started_at >= start) & (Call.started_at < end)
    calls_today = db.scalar(select(func.count()).where(today)) or 0
    escalated_today = db.scalar(select(func.count()).where(today, Call.escalated.is_(True))) or 0
    unresolved_today = (
        db.scalar(select(func.count()).where(today, Call.outcome.in_(UNRESOLVED_OUTCOMES))) or 0
    )
    flagged = db.scalar(select(func.count()).where(Call.flagged.is_(True))) or 0
    context = {
        "clinic_name": db.scalar(select(Clinic.name).order_by(Clinic.id).limit(1)) or "Frontdesk",
        "today": f"{today_local:%A, %B} {today_local.day}",
        "counts": queue_counts(db),
        "priorities": PRIORITIES,
        "calls_today": calls_today,
        "escalated_today": escalated_today,
        "unresolved_today": unresolved_today,
        "flagged": flagged,
        "nav": "home",
    }
    return render(request, "home.html", context)


# Static files bypass ConsoleRoute: a stylesheet request racing the sign-in page must not
# set a second anonymous session cookie with a different CSRF token.
static = APIRouter()


@static.get("/static/{name}")
def static_file(name: str) -> Response:
    """Serve the console's stylesheet (and any other file listed in ``STATIC_FILES``)."""
    if name not in STATIC_FILES:
        return Response("Not found.", status_code=404, media_type="text/plain")
    return FileResponse(
        STATIC_DIR / name,
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


root = APIRouter()


@root.get("/", include_in_schema=False)
def root_redirect() -> Response:
    """Send visitors of the site root to the console."""
    return RedirectResponse(f"{PREFIX}/", status_code=307)


# Every unsafe request to the console must carry the session's CSRF token.
router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(verify_csrf)])
router.include_router(pages)
router.include_router(auth.router)
router.include_router(calls.router)
router.include_router(queue.router)
router.include_router(admin.router)
router.include_router(static)

__all__ = ["root", "router"]
