"""The calls list, call detail, recording playback, flagging and eval export."""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from clinic.models import Call, CallOutcome, StaffUser
from console.audit import record_access, record_list_view
from console.calls import (
    CallFilters,
    call_timeline,
    clinic_zone,
    latency_items,
    list_calls,
    load_call,
)
from console.deps import (
    PREFIX,
    ConsoleError,
    ConsoleRoute,
    CurrentUser,
    DbSession,
    NotFound,
    SettingsDep,
)
from console.eval_export import scenario_id, scenario_skeleton
from console.templating import render
from frontdesk.settings import Settings

router = APIRouter(route_class=ConsoleRoute)

MAX_FLAG_NOTE_LENGTH = 2000

# Fixed here because the system's MIME database differs between machines ("audio/x-wav").
AUDIO_TYPES = {
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".webm": "audio/webm",
}


def _get_call(db: Session, call_id: int) -> Call:
    call = load_call(db, call_id)
    if call is None:
        raise NotFound(f"No call with id {call_id} exists.")
    return call


def _audit_call(db: Session, user: StaffUser, call: Call, action: str, resource: str) -> None:
    # Only calls with a verified patient hold patient data worth an audit entry.
    if call.patient_id is None:
        return
    record_access(
        db,
        user,
        action=action,
        resource=resource,
        resource_id=call.id,
        patient_id=call.patient_id,
        call_id=call.id,
    )


@router.get("/calls")
def calls_list(
    request: Request,
    user: CurrentUser,
    db: DbSession,
) -> Response:
    """List calls, newest first, with filters, search and pagination."""
    filters = CallFilters.from_query(dict(request.query_params))
    zone = clinic_zone(db)
    page = list_calls(db, filters, zone=zone, now=datetime.now(UTC))
    record_list_view(db, user, resource="call", patient_ids=page.patient_ids)
    db.commit()

    def link(**changes: object) -> str:
        return f"{PREFIX}/calls?{urlencode(filters.query_params(**changes))}"

    context = {
        "page": page,
        "filters": filters,
        "zone": zone,
        "outcomes": list(CallOutcome),
        "link": link,
        "nav": "calls",
    }
    return render(request, "calls.html", context)


@router.get("/calls/{call_id}")
def call_detail(
    request: Request,
    call_id: int,
    user: CurrentUser,
    db: DbSession,
) -> Response:
    """Show one call: summary, transcript with tool calls, latency and recording."""
    call = _get_call(db, call_id)
    _audit_call(db, user, call, "read", "call")
    db.commit()
    context = {
        "call": call,
        "timeline": call_timeline(call),
        "latency_items": latency_items,
        "zone": clinic_zone(db),
        "nav": "calls",
    }
    return render(request, "call_detail.html", context)


@router.post("/calls/{call_id}/flag")
def flag_call(
    call_id: int,
    user: CurrentUser,
    db: DbSession,
    note: Annotated[str, Form(max_length=MAX_FLAG_NOTE_LENGTH)] = "",
) -> Response:
    """Flag a call as handled badly, with a note saying what went wrong."""
    call = _get_call(db, call_id)
    note = note.strip()
    if not note:
        raise ConsoleError("Write a note saying what went wrong before flagging the call.")
    call.flagged = True
    call.flag_note = note
    _audit_call(db, user, call, "flag", "call")
    db.commit()
    return RedirectResponse(f"{PREFIX}/calls/{call.id}#flag", status_code=303)


@router.post("/calls/{call_id}/unflag")
def unflag_call(
    call_id: int,
    user: CurrentUser,
    db: DbSession,
) -> Response:
    """Clear a call's flag."""
    call = _get_call(db, call_id)
    call.flagged = False
    _audit_call(db, user, call, "unflag", "call")
    db.commit()
    return RedirectResponse(f"{PREFIX}/calls/{call.id}#flag", status_code=303)


@router.get("/calls/{call_id}/scenario.yaml")
def export_scenario(
    call_id: int,
    user: CurrentUser,
    db: DbSession,
) -> Response:
    """Download a flagged call as an eval scenario skeleton."""
    call = _get_call(db, call_id)
    if not call.flagged:
        raise ConsoleError("Only flagged calls can be exported; flag the call first.")
    zone = clinic_zone(db)
    text = scenario_skeleton(call, zone=zone, exported_at=datetime.now(UTC))
    _audit_call(db, user, call, "export", "call")
    db.commit()
    filename = f"{scenario_id(call)}.yaml"
    return Response(
        text,
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def recording_file(settings: Settings, recording_path: str) -> Path | None:
    """Resolve a call's recording path, accepting only files inside the recordings folder.

    A relative path is tried as given (relative to the working directory) and then under
    ``settings.recordings_dir``.
    """
    root = settings.recordings_dir.resolve()
    candidate = Path(recording_path)
    options = [candidate] if candidate.is_absolute() else [candidate, root / candidate]
    for option in options:
        resolved = option.resolve()
        if resolved.is_relative_to(root) and resolved.is_file():
            return resolved
    return None


@router.get("/calls/{call_id}/recording")
def call_recording(
    call_id: int,
    user: CurrentUser,
    db: DbSession,
    settings: SettingsDep,
) -> Response:
    """Stream a call's recording to a signed-in user."""
    call = _get_call(db, call_id)
    path = recording_file(settings, call.recording_path) if call.recording_path else None
    if path is None:
        raise NotFound("This call has no recording.")
    _audit_call(db, user, call, "play", "recording")
    db.commit()
    media_type = AUDIO_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    return FileResponse(
        path,
        media_type=media_type or "application/octet-stream",
        headers={"Cache-Control": "no-store"},
    )
