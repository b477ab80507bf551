"""The receptionist's tools by name, and the one way to run them: :func:`call_tool`.

``call_tool`` is the boundary between a brain (LLM or offline) and the clinic database. It
enforces what no tool should have to trust its caller for:

- arguments are validated against the tool's pydantic model, so bad input becomes an
  ``invalid_argument`` result and never reaches the database;
- identity-gated tools are refused with ``not_verified`` until ``verify_patient``
  succeeded in this call;
- every call is recorded as a ``tool_call`` row when the context has a ``call_id``;
- any exception other than a :class:`tools.base.ToolError` becomes a generic
  ``internal_error`` result; its details go to the log, never to the model or the caller.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from clinic.calls import CallRecordError, add_tool_call
from tools import (
    appointments,
    clinic_info,
    handoff,
    identity,
    insurance,
    refills,
    registration,
    scheduling,
)
from tools.base import CallContext, InvalidArgument, NotVerified, Tool, ToolError, ToolResult

logger = logging.getLogger(__name__)

MAX_ARGUMENTS_CHARS = 20_000
"""Longer argument text is rejected before parsing; no tool needs a fraction of it."""
RECORDED_STRING_CHARS = 500
"""Strings in recorded arguments of a rejected call are cut to this length."""

TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool(
            name=identity.NAME,
            description=identity.DESCRIPTION,
            arguments=identity.VerifyPatientArguments,
            function=identity.verify_patient,
        ),
        Tool(
            name=scheduling.NAME,
            description=scheduling.DESCRIPTION,
            arguments=scheduling.FindOpenSlotsArguments,
            function=scheduling.find_open_slots,
        ),
        Tool(
            name=appointments.BOOK,
            description=appointments.BOOK_DESCRIPTION,
            arguments=appointments.BookAppointmentArguments,
            function=appointments.book_appointment,
            requires_verified_patient=True,
            changes_data=True,
        ),
        Tool(
            name=appointments.RESCHEDULE,
            description=appointments.RESCHEDULE_DESCRIPTION,
            arguments=appointments.RescheduleAppointmentArguments,
            function=appointments.reschedule_appointment,
            requires_verified_patient=True,
            changes_data=True,
        ),
        Tool(
            name=appointments.CANCEL,
            description=appointments.CANCEL_DESCRIPTION,
            arguments=appointments.CancelAppointmentArguments,
            function=appointments.cancel_appointment,
            requires_verified_patient=True,
            changes_data=True,
        ),
        Tool(
            name=appointments.LIST_UPCOMING,
            description=appointments.LIST_DESCRIPTION,
            arguments=appointments.ListUpcomingAppointmentsArguments,
            function=appointments.list_upcoming_appointments,
            requires_verified_patient=True,
        ),
        Tool(
            name=refills.NAME,
            description=refills.DESCRIPTION,
            arguments=refills.RequestRefillArguments,
            function=refills.request_refill,
            requires_verified_patient=True,
            changes_data=True,
        ),
        Tool(
            name=insurance.NAME,
            description=insurance.DESCRIPTION,
            arguments=insurance.InsuranceLookupArguments,
            function=insurance.insurance_lookup,
        ),
        Tool(
            name=registration.NAME,
            description=registration.DESCRIPTION,
            arguments=registration.RegisterNewPatientArguments,
            function=registration.register_new_patient,
            changes_data=True,
        ),
        Tool(
            name=clinic_info.NAME,
            description=clinic_info.DESCRIPTION,
            arguments=clinic_info.ClinicInformationArguments,
            function=clinic_info.clinic_information,
        ),
        Tool(
            name=handoff.NAME,
            description=handoff.DESCRIPTION,
            arguments=handoff.TransferToHumanArguments,
            function=handoff.transfer_to_human,
            changes_data=True,
        ),
    )
}


def openai_tools() -> list[dict[str, Any]]:
    """Return every tool in the OpenAI chat-completions ``tools`` format."""
    return [tool.openai_schema() for tool in TOOLS.values()]


async def call_tool(ctx: CallContext, name: str, arguments: dict[str, Any] | str) -> ToolResult:
    """Validate, gate, run and record one tool call; never raises for bad input.

    Args:
        ctx: The call's context; ``verified_patient_id`` and ``pending_confirmations``
            may change.
        name: A key of :data:`TOOLS`.
        arguments: The arguments as a dict or as the JSON object text the model wrote.

    Returns:
        The tool's result, or a failed result with ``error`` set to ``unknown_tool``,
        ``invalid_argument``, ``not_verified``, another :class:`ToolError` code or
        ``internal_error``.
    """
    started = time.perf_counter()
    raw: Any = arguments
    parsed: BaseModel | None = None
    tool = TOOLS.get(name)
    if tool is None:
        result = ToolResult(
            ok=False,
            error="unknown_tool",
            message="I can't do that from here.",
            data={"known_tools": sorted(TOOLS)},
        )
    else:
        try:
            raw = _decode(arguments)
            parsed = tool.arguments.model_validate(raw)
        except InvalidArgument as error:
            result = error.to_result()
        except ValidationError as error:
            result = _invalid_arguments(error)
        else:
            result = await _run(ctx, tool, parsed)
    if ctx.call_id is not None:
        recorded = parsed.model_dump(mode="json") if parsed is not None else _truncated(raw)
        elapsed_ms = (time.perf_counter() - started) * 1000
        await asyncio.to_thread(_record, ctx, name, recorded, result, elapsed_ms)
    return result


async def _run(ctx: CallContext, tool: Tool, arguments: BaseModel) -> ToolResult:
    if tool.requires_verified_patient and ctx.verified_patient_id is None:
        return NotVerified(
            "I need to verify your identity first. Could I have your full name and date of birth?",
            data={"next_step": "Call verify_patient first."},
        ).to_result()
    try:
        return await tool.function(ctx, arguments)
    except ToolError as error:
        return error.to_result()
    except Exception as error:
        # The caller must hear a reply, not silence. The exception text may quote SQL
        # parameters (patient data), so only its type and the stack are logged.
        stack = "".join(traceback.format_tb(error.__traceback__))
        logger.error("Tool %s failed with %s\n%s", tool.name, type(error).__name__, stack)
        return ToolResult(
            ok=False,
            error="internal_error",
            message="I'm sorry, something went wrong on my side and I couldn't finish that.",
        )


def _decode(arguments: dict[str, Any] | str) -> Any:
    if isinstance(arguments, dict):
        return arguments
    if not isinstance(arguments, str):
        raise InvalidArgument("Tool arguments must be a JSON object.")
    if len(arguments) > MAX_ARGUMENTS_CHARS:
        raise InvalidArgument("The tool arguments are far too long.")
    if not arguments.strip():
        return {}
    try:
        value = json.loads(arguments)
    except json.JSONDecodeError:
        raise InvalidArgument("The tool arguments are not valid JSON.") from None
    if not isinstance(value, dict):
        raise InvalidArgument("Tool arguments must be a JSON object.")
    return value


_ERROR_TEXTS = {
    "missing": "is missing",
    "extra_forbidden": "is not an argument of this tool",
    "string_too_short": "is empty",
}


def _invalid_arguments(error: ValidationError) -> ToolResult:
    problems = []
    for item in error.errors(include_url=False, include_input=False)[:5]:
        field = ".".join(str(part) for part in item["loc"]) or "arguments"
        text = _ERROR_TEXTS.get(item["type"]) or str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{field} {text[:120]}")
    return ToolResult(
        ok=False,
        error=InvalidArgument.code,
        message="I couldn't use some of those details: " + "; ".join(problems) + ".",
        data={"fields": [".".join(str(p) for p in e["loc"]) for e in error.errors()][:20]},
    )


def _truncated(value: Any) -> dict[str, Any]:
    """Make rejected arguments storable: a dict with long strings cut short."""

    def cut(item: Any, depth: int = 0) -> Any:
        if isinstance(item, str):
            return item[:RECORDED_STRING_CHARS]
        if depth > 3:
            return None
        if isinstance(item, dict):
            return {str(k)[:100]: cut(v, depth + 1) for k, v in list(item.items())[:50]}
        if isinstance(item, list):
            return [cut(v, depth + 1) for v in item[:50]]
        if item is None or isinstance(item, bool | int | float):
            return item
        return str(item)[:RECORDED_STRING_CHARS]

    if isinstance(value, dict):
        result: dict[str, Any] = cut(value)
        return result
    return {"raw": cut(value if isinstance(value, str) else repr(value))}


def _record(
    ctx: CallContext, name: str, arguments: dict[str, Any], result: ToolResult, elapsed_ms: float
) -> None:
    if ctx.call_id is None:
        return
    try:
        add_tool_call(
            ctx.session_factory,
            call_id=ctx.call_id,
            tool_name=name[:64],
            arguments=arguments,
            result=result.model_dump(mode="json"),
            ok=result.ok,
            error_code=result.error,
            at=ctx.now(),
            duration_ms=elapsed_ms,
        )
        ctx.tool_call_seq += 1
    except (CallRecordError, SQLAlchemyError) as error:
        # Losing the record must not lose the caller's answer; staff see the gap in the log.
        logger.error(
            "Could not record a %s call on call %s: %s", name, ctx.call_id, type(error).__name__
        )
