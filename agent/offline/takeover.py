"""Pick up a call the LLM brain was handling when it failed.

The offline brain then starts with an empty memory. A read-back the LLM had said and the
caller may now be answering is adopted as the current request, so "yes" still commits it
and "no, Thursday" still corrects it.
"""

from __future__ import annotations

from typing import Any

from agent.brain import ConversationState
from agent.offline.intents import Intent
from agent.offline.memory import DialogueMemory, Task

_INTENT_BY_TOOL = {
    "book_appointment": Intent.BOOK,
    "reschedule_appointment": Intent.RESCHEDULE,
    "cancel_appointment": Intent.CANCEL,
    "request_refill": Intent.REFILL,
    "register_new_patient": Intent.REGISTER,
}


def adopt_read_back(state: ConversationState, memory: DialogueMemory) -> None:
    """Make the state's pending read-back the offline brain's current request."""
    pending = state.pending_read_back
    if pending is None or pending.tool_name not in _INTENT_BY_TOOL or memory.tasks:
        return
    arguments = {k: v for k, v in pending.arguments.items() if k != "confirmed"}
    task = Task(_INTENT_BY_TOOL[pending.tool_name], _slots(state, pending.tool_name, arguments))
    memory.tasks.append(task)
    memory.read_back = (pending.tool_name, arguments)
    memory.awaiting = "confirm"


def _slots(state: ConversationState, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    provider_id = arguments.get("provider_id")
    provider = state.facts.provider_by_id(int(provider_id)) if provider_id else None
    name = provider.display_name if provider else ""
    if tool == "book_appointment":
        chosen = {**arguments, "provider": name}
        return {"type": arguments.get("appointment_type"), "chosen": chosen, "asked_when": True}
    if tool == "reschedule_appointment":
        chosen = {"start": arguments.get("new_start"), "provider_id": provider_id, "provider": name}
        return {
            "adopted_appointment_id": arguments.get("appointment_id"),
            "chosen": chosen,
            "asked_when": True,
        }
    if tool == "cancel_appointment":
        return {"adopted_appointment_id": arguments.get("appointment_id")}
    if tool == "request_refill":
        return {key: arguments.get(key) for key in ("medication", "pharmacy", "urgency")}
    return {"introduced": True, "asked_insurance": True, "phone": arguments.get("phone")}
