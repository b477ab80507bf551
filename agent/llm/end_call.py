"""The ``end_call`` function the LLM may call to hang up once the conversation is over.

It is offered to the model next to the clinic's tools but is not one of them: the agent loop
never runs it and nothing is recorded as a tool call. :class:`agent.llm.LLMBrain` turns a
valid ``end_call`` into :class:`agent.brain.EndCall`, and the session then emits
:class:`agent.events.Hangup` after the reply has been spoken.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from tools.base import CallContext, Tool, ToolResult

END_CALL = "end_call"

EndCallReason = Literal["caller_done", "wrong_number"]


class EndCallArguments(BaseModel):
    """Arguments of ``end_call``."""

    reason: EndCallReason = Field(
        default="caller_done",
        description=(
            "caller_done: the caller said goodbye or has nothing more to ask. "
            "wrong_number: the caller meant to reach someone else."
        ),
    )


async def _never_run(ctx: CallContext, arguments: BaseModel) -> ToolResult:
    raise RuntimeError("end_call is handled by the LLM brain; the agent loop never runs it.")


END_CALL_TOOL = Tool(
    name=END_CALL,
    description=(
        "Hang up once the conversation is over. Say a short goodbye in the same reply, "
        "before this call. Use it only after the caller has said goodbye or confirmed there "
        "is nothing else, never while a read-back awaits the caller's answer, and never "
        "instead of transfer_to_human."
    ),
    arguments=EndCallArguments,
    function=_never_run,
)


def end_call_reason(arguments_json: str) -> EndCallReason:
    """Return the reason of an ``end_call`` whose arguments were already validated.

    Args:
        arguments_json: The arguments as the model wrote them; an empty text means none.
    """
    try:
        arguments = EndCallArguments.model_validate(json.loads(arguments_json.strip() or "{}"))
    except (json.JSONDecodeError, ValidationError):
        return "caller_done"
    return arguments.reason
