"""Admin-only pages: the audit trail and the staff accounts."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from clinic.models import StaffUser
from console.audit import AUDIT_PAGE_SIZE, parse_audit_filters, record_access, search_audit
from console.calls import clinic_zone
from console.deps import PREFIX, AdminUser, ConsoleRoute, DbSession, NotFound
from console.templating import render

router = APIRouter(prefix="/admin", route_class=ConsoleRoute)


@router.get("/audit")
def audit_page(
    request: Request,
    admin: AdminUser,
    db: DbSession,
) -> Response:
    """Search the audit trail by patient id, user and clinic-local date range."""
    params = dict(request.query_params)
    filters = parse_audit_filters(params)
    zone = clinic_zone(db)
    events, total = search_audit(db, filters, zone=zone)
    pages = max(1, math.ceil(total / AUDIT_PAGE_SIZE))
    usernames = {u.id: u.username for u in db.scalars(select(StaffUser))}

    def page_link(page: int) -> str:
        return f"{PREFIX}/admin/audit?{urlencode({**params, 'page': str(page)})}"

    context = {
        "events": events,
        "total": total,
        "pages": pages,
        "filters": filters,
        "usernames": usernames,
        "zone": zone,
        "page_link": page_link,
        "nav": "audit",
    }
    return render(request, "audit.html", context)


@router.get("/staff")
def staff_page(
    request: Request,
    admin: AdminUser,
    db: DbSession,
) -> Response:
    """List staff accounts with their role and lockout state."""
    users = list(db.scalars(select(StaffUser).order_by(StaffUser.username)))
    now = datetime.now(UTC)
    context = {"users": users, "zone": clinic_zone(db), "now": now, "nav": "staff"}
    return render(request, "staff.html", context)


@router.post("/staff/{user_id}/unlock")
def unlock_user(
    user_id: int,
    admin: AdminUser,
    db: DbSession,
) -> Response:
    """Clear a staff account's failed sign-ins and lockout."""
    target = db.get(StaffUser, user_id)
    if target is None:
        raise NotFound(f"No staff user with id {user_id} exists.")
    target.failed_logins = 0
    target.locked_until = None
    record_access(
        db, admin, action="unlock", resource="staff_user", resource_id=target.id, patient_id=None
    )
    db.commit()
    return RedirectResponse(f"{PREFIX}/admin/staff", status_code=303)
