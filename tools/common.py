"""Pieces every tool shares: argument types, the database session, audit events, read-backs.

Tools are async because the agent loop is, but the database work is synchronous SQLAlchemy.
Each tool therefore runs its transaction in a worker thread (:func:`run_in_transaction`), so
the event loop keeps streaming audio meanwhile.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, field_validator
from sqlalchemy.orm import Session

from clinic.calls import add_audit_event
from clinic.db import transaction
from clinic.models import Clinic, Patient
from tools.base import CallContext, ConfirmationRequired, NotVerified, ToolResult

T = TypeVar("T")


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters other than tab and line breaks: invisible in speech, and PostgreSQL
rejects NUL in text columns, so a write that contains one fails."""


def _drop_control_characters(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL_CHARACTERS.sub("", value)
    return value


class ToolArguments(BaseModel):
    """Base of every tool's argument model: strings cleaned, unknown arguments rejected.

    Strings lose control characters and surrounding whitespace before the field's own
    checks run, so a name that was only a NUL character is reported as empty.
    """

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _clean_strings(cls, value: Any) -> Any:
        return _drop_control_characters(value)


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _parse_iso_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError("must be a date written as YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("is not a real calendar date") from None


def _parse_clock_time(value: Any) -> Any:
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a time written as HH:MM (24-hour)")
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
    if match is None:
        raise ValueError("must be a time written as HH:MM (24-hour)")
    return time(int(match.group(1)), int(match.group(2)))


def _parse_local_start(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    pattern = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:00)?([+-]\d{2}:\d{2}|Z)?"
    if not isinstance(value, str) or not re.fullmatch(pattern, value.strip()):
        raise ValueError("must be a local date and time written as YYYY-MM-DDTHH:MM")
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("is not a real date and time") from None


def _normalize_phone(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be a phone number such as 802-555-0100")
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10:
        return "+1" + digits
    if value.strip().startswith("+") and 8 <= len(digits) <= 15:
        return "+" + digits
    raise ValueError("must be a phone number with area code, such as 802-555-0100")


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptionalShortText = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None,
    BeforeValidator(_blank_to_none),
]
OptionalLongText = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] | None,
    BeforeValidator(_blank_to_none),
]
IsoDate = Annotated[date, BeforeValidator(_parse_iso_date)]
OptionalIsoDate = Annotated[
    Annotated[date, BeforeValidator(_parse_iso_date)] | None, BeforeValidator(_blank_to_none)
]
OptionalClockTime = Annotated[
    Annotated[time, BeforeValidator(_parse_clock_time)] | None, BeforeValidator(_blank_to_none)
]
LocalStart = Annotated[datetime, BeforeValidator(_parse_local_start)]
PhoneNumber = Annotated[str, BeforeValidator(_normalize_phone)]
OptionalPhoneNumber = Annotated[
    str | None, BeforeValidator(_normalize_phone), BeforeValidator(_blank_to_none)
]


def fold_text(text: str) -> str:
    """Lower-case ``text``, drop accents and punctuation, and collapse spaces, for matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"[^a-z0-9 ]+", " ", plain.casefold())
    return " ".join(plain.split())


def phone_digits(number: str | None) -> str:
    """Return the last ten digits of a phone number, for comparing numbers however written."""
    if not number:
        return ""
    return re.sub(r"\D", "", number)[-10:]


async def run_in_transaction(ctx: CallContext, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one database transaction in a worker thread.

    The transaction commits when ``work`` returns and rolls back when it raises, so a
    tool that fails a rule halfway writes nothing.
    """

    def run() -> T:
        with transaction(ctx.session_factory) as session:
            return work(session)

    return await asyncio.to_thread(run)


def load_clinic(session: Session, ctx: CallContext) -> Clinic:
    """Return the clinic this call is for.

    Raises:
        LookupError: The configured clinic does not exist, a deployment error that
            :func:`tools.registry.call_tool` reports as an internal error.
    """
    clinic = session.get(Clinic, ctx.clinic_id)
    if clinic is None:
        raise LookupError(f"Clinic {ctx.clinic_id} was not found; seed or configure it first.")
    return clinic


def verified_patient(session: Session, ctx: CallContext, *, for_update: bool = False) -> Patient:
    """Return the patient verified in this call.

    Args:
        for_update: Lock the patient's row until the transaction ends. Tools that change a
            patient's visits or requests take this lock first, so two calls for one patient
            take turns, and each sees what the other committed (on PostgreSQL; SQLite runs
            one writer at a time anyway).

    Raises:
        NotVerified: Nobody has been verified yet, or the chart no longer exists.
    """
    patient = (
        session.get(
            Patient, ctx.verified_patient_id, with_for_update=for_update, populate_existing=True
        )
        if ctx.verified_patient_id
        else None
    )
    if patient is None:
        raise NotVerified(
            "I need to verify your identity first. Could I have your full name and date of birth?"
        )
    return patient


def audit(
    session: Session,
    ctx: CallContext,
    *,
    tool: str,
    action: str,
    resource: str,
    resource_id: int | None,
    patient_id: int | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit event for a read or change of patient data to the open transaction.

    ``detail`` carries ids and codes only, never words the caller said: audit rows are
    kept longer than transcripts and must not become a second copy of them.
    """
    add_audit_event(
        session,
        at=ctx.now(),
        actor=ctx.actor,
        action=action,
        resource=resource,
        resource_id=resource_id,
        patient_id=patient_id,
        call_id=ctx.call_id,
        tool_name=tool,
        detail=detail,
    )


def propose(
    ctx: CallContext, tool: str, proposal: dict[str, Any], message: str, data: dict[str, Any]
) -> ToolResult:
    """Store ``proposal`` as awaiting the caller's yes and return the read-back.

    A caller's yes answers the latest read-back only. Earlier proposals are dropped, and a
    yes given before this read-back (earlier in the same turn) no longer counts.
    """
    ctx.pending_confirmations.clear()
    ctx.pending_confirmations[tool] = proposal
    ctx.caller_confirmed = False
    return ToolResult(
        ok=True,
        message=message,
        needs_confirmation=True,
        data={**data, "next_step": "Read this back; call again with confirmed=true after a yes."},
    )


def require_confirmation(ctx: CallContext, tool: str, proposal: dict[str, Any]) -> None:
    """Check that the caller said yes to exactly ``proposal``, then use up that yes.

    A yes commits one change: the pending proposal and ``ctx.caller_confirmed`` are both
    cleared, so a second commit needs a second read-back and a second yes.

    Raises:
        ConfirmationRequired: Nothing was read back, the details differ from the read-back,
            or the caller has not said yes.
    """
    pending = ctx.pending_confirmations.get(tool)
    hint = f"Call {tool} with confirmed=false, read the result back, and wait for a yes."
    if pending is None:
        raise ConfirmationRequired(
            "Let me read that back to you before I go ahead.", data={"next_step": hint}
        )
    if pending != proposal:
        raise ConfirmationRequired(
            "Those details differ from what I read back, so let me read them back again.",
            data={"next_step": hint},
        )
    if not ctx.caller_confirmed:
        raise ConfirmationRequired(
            "I need your okay before I go ahead. Shall I?",
            data={"next_step": "Wait for the caller to say yes to the read-back."},
        )
    del ctx.pending_confirmations[tool]
    ctx.caller_confirmed = False
