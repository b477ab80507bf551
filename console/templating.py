"""Jinja2 templates for the console, with filters for clinic-local times and durations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def local_time(value: datetime | None, zone: ZoneInfo, fmt: str = "%b %d, %I:%M %p") -> str:
    """Format a UTC instant in the clinic's time zone, such as ``Mar 10, 09:15 AM``."""
    if value is None:
        return ""
    return value.astimezone(zone).strftime(fmt)


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
