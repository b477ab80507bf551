"""What the offline brain remembers during one call.

The brain object is shared between calls, so this memory lives in
``state.brain_memory["offline"]``. When the offline brain takes over from the LLM brain
mid-call it starts with an empty memory but keeps what the state already holds (the
verified patient), and asks the caller what they still need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from agent.brain import ConversationState
from agent.offline.intents import Intent
from agent.parsing import PersonName

MEMORY_KEY = "offline"


@dataclass
class Task:
    """One request of the caller's, with the values collected for it so far.

    ``slots`` holds the flow's own values (a chosen slot, an appointment id, the medication);
    each flow documents its keys.
    """

    intent: Intent
    slots: dict[str, Any] = field(default_factory=dict)


@dataclass
class DialogueMemory:
    """The offline brain's per-call state.

    Attributes:
        tasks: The caller's requests still open, the current one first.
        awaiting: What the last question asked for ("name", "dob", "confirm", ...), or None.
        question: The last question, said again when the answer is not understood.
        misunderstood: Caller turns in a row that could not be used; two hand the call over.
        name: The name the caller gave for verification or registration.
        date_of_birth: The date of birth the caller gave.
        phone: A phone number the caller gave.
        read_back: The tool and arguments of the read-back awaiting a yes.
        calls: Tool calls made so far, for unique call ids.
        handed_over: A hand-over has started; the brain then only closes the call.
        done: The caller turn in which each kind of request was last completed.
        for_someone_else: The caller is asking for another person (a husband, a child),
            so identity questions ask for the patient's details, not the caller's.
    """

    tasks: list[Task] = field(default_factory=list)
    awaiting: str | None = None
    question: str | None = None
    misunderstood: int = 0
    name: PersonName | None = None
    date_of_birth: date | None = None
    phone: str | None = None
    read_back: tuple[str, dict[str, Any]] | None = None
    calls: int = 0
    handed_over: bool = False
    done: dict[Intent, int] = field(default_factory=dict)
    for_someone_else: bool = False

    @property
    def current(self) -> Task | None:
        """The request being worked on, or None."""
        return self.tasks[0] if self.tasks else None

    def recently_done(self, intent: Intent, turn: int) -> bool:
        """Return whether a request of this kind was completed in the last two turns.

        A caller who repeats a request just answered ("I only wanted to know the copay")
        is confirming it, not asking again.
        """
        if intent is Intent.INFO:
            # Each question about the clinic is a new one ("and your address?").
            return False
        return turn - self.done.get(intent, -10) <= 2

    def has(self, intent: Intent) -> bool:
        """Return whether a request of this kind is open."""
        return any(task.intent is intent for task in self.tasks)


def memory_of(state: ConversationState) -> DialogueMemory:
    """Return the offline brain's memory for this call, creating it on first use."""
    memory = state.brain_memory.get(MEMORY_KEY)
    if not isinstance(memory, DialogueMemory):
        memory = DialogueMemory()
        state.brain_memory[MEMORY_KEY] = memory
    return memory
