"""The system prompt the LLM brain sends first in every request."""

from __future__ import annotations

from agent.brain import ConversationState


def placeholder_system_prompt(state: ConversationState) -> str:
    """Render a minimal system prompt from the clinic's public facts.

    NOTE: a stand-in until the templates in ``prompts/`` exist; pass their renderer to
    :class:`agent.llm.LLMBrain` as ``system_prompt``.
    """
    facts = state.facts
    lines = [
        f"You are the phone receptionist of {facts.name}.",
        f"Today is {state.local_now():%A, %B %d, %Y}; the clinic's time zone is {facts.timezone}.",
        "Keep replies short and speakable. Use the tools for anything about a patient or the "
        "schedule, verify identity before reading or changing a patient's details, read back "
        "every change and wait for a yes before confirming it. Hand the call to a person when "
        "unsure.",
    ]
    if state.language == "es":
        lines.append("The caller speaks Spanish; answer in Spanish.")
    if state.verified_patient is not None:
        lines.append(f"The caller is verified as {state.verified_patient.first_name}.")
    return "\n".join(lines)
