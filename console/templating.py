"""Jinja2 templates for the console, with filters for clinic-local times and durations."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def _clock(value: datetime, *, seconds: bool = False) -> str:
    hour = value.hour % 12 or 12
    suffix = "AM" if value.hour < 12 else "PM"
    if seconds:
        return f"{hour}:{value.minute:02d}:{value.second:02d} {suffix}"
    return f"{hour}:{value.minute:02d} {suffix}"


def local_time(
    value: datetime | None, zone: ZoneInfo, style: str = "short", now: datetime | None = None
) -> str:
    """Format a UTC instant in the clinic's time zone for staff.

    Styles: ``short`` ("Today, 9:15 AM", "Yesterday, 4:02 PM", "Mar 10, 9:15 AM", with the
    year when it is not the current one), ``long`` ("Tuesday, March 10, 2026 at 9:15 AM"),
    ``clock`` ("9:15:02 AM") and ``full`` ("2026-03-10 9:15:02 AM").
    """
    if value is None:
        return ""
    local = value.astimezone(zone)
    if style == "clock":
        return _clock(local, seconds=True)
    if style == "full":
        return f"{local:%Y-%m-%d} {_clock(local, seconds=True)}"
    if style == "long":
        return f"{local:%A, %B} {local.day}, {local.year} at {_clock(local)}"
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    day = local.date()
    if day == today:
        label = "Today"
    elif (today - day).days == 1:
        label = "Yesterday"
    elif day.year == today.year:
        label = f"{local:%b} {local.day}"
    else:
        label = f"{local:%b} {local.day}, {local.year}"
    return f"{label}, {_clock(local)}"


NANP_NUMBER = re.compile(r"^\+1(\d{3})(\d{3})(\d{4})$")


def birth_date(value: date | None) -> str:
    """Format a date of birth as ``Apr 2, 1958``."""
    if value is None:
        return ""
    return f"{value:%b} {value.day}, {value.year}"


def phone(value: str | None) -> str:
    """Format a North American E.164 number as ``(802) 555-0142``; others stay as stored."""
    if not value:
        return ""
    match = NANP_NUMBER.match(value)
    if match is None:
        return value
    area, exchange, line = match.groups()
    return f"({area}) {exchange}-{line}"


def duration(seconds: float | None) -> str:
    """Format a duration in seconds as ``m:ss`` (or ``h:mm:ss``); empty when unknown."""
    if seconds is None:
        return ""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def age(value: datetime | None, now: datetime | None = None) -> str:
    """Describe how long ago ``value`` was, such as ``5 min ago`` or ``2 days ago``."""
    if value is None:
        return ""
    seconds = ((now or datetime.now(UTC)) - value).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return "1 day ago" if days == 1 else f"{days} days ago"


def pretty_json(value: Any) -> str:
    """Indent a JSON-compatible value for display in a ``<pre>`` block."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def humanize(value: str | None) -> str:
    """Turn an enum value such as ``message_taken`` into ``Message taken``."""
    if not value:
        return ""
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=1)
def get_templates() -> Jinja2Templates:
    """Build the template environment once per process."""
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.filters["local_time"] = local_time
    templates.env.filters["duration"] = duration
    templates.env.filters["age"] = age
    templates.env.filters["phone"] = phone
    templates.env.filters["birth_date"] = birth_date
    templates.env.filters["pretty_json"] = pretty_json
    templates.env.filters["humanize"] = humanize
    templates.env.globals["prefix"] = "/console"
    return templates


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """Render a console template with the CSRF token and signed-in user filled in."""
    values: dict[str, Any] = dict(context or {})
    session = getattr(request.state, "console_session", None)
    values.setdefault("csrf_token", session.csrf_token if session is not None else "")
    values.setdefault("user", getattr(request.state, "staff_user", None))
    return get_templates().TemplateResponse(request, name, values, status_code=status_code)
