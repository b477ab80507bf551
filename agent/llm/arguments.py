"""Checks a tool call the model wrote before the agent loop runs it.

The registry validates again when the tool runs. Checking here first lets the brain send the
model its mistake and request a corrected call within the same reply, instead of running a
tool with arguments the registry would reject.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from pydantic import ValidationError

from agent.llm.streaming import AssembledToolCall
from tools.base import Tool


def tool_call_problem(call: AssembledToolCall, tools: Mapping[str, Tool]) -> str | None:
    """Return what is wrong with ``call``, phrased for the model, or None when it is valid."""
    tool = tools.get(call.name)
    if tool is None:
        known = ", ".join(sorted(tools))
        return f"There is no tool named {call.name!r}. The tools are: {known}."

    # Servers send an empty string for a call without arguments.
    text = call.arguments.strip() or "{}"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return (
            f"The arguments of {call.name} are not valid JSON ({error.msg} at character "
            f"{error.pos}). Send them again as one JSON object."
        )
    if not isinstance(value, dict):
        return f"The arguments of {call.name} must be a JSON object, not {type(value).__name__}."

    try:
        tool.arguments.model_validate(value)
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'arguments'}: {item['msg']}"
            for item in error.errors()
        )
        return f"The arguments of {call.name} are invalid: {details}."
    return None
