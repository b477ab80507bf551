"""The building blocks every offline flow uses: the reply under construction and its context.

A flow never touches the database: it asks the caller something, or it requests one tool
call, which the agent loop runs through the same registry as the LLM brain's calls. The
result comes back in the next :meth:`agent.brain.Brain.reply` round.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from agent.brain import ConversationState, ToolCallRequest, ToolExchange
from agent.facts import ClinicFacts
from agent.handling import HANDOVER_REASONS
from agent.offline.memory import DialogueMemory, Task
from agent.parsing import Answer
from prompts import has_phrase, phrase


@dataclass
class Reply:
    """What the brain will say and do in this round: text first, then at most one tool call.

    Attributes:
        texts: Sentences to say, in order.
        call: The tool call to request after the text, if any.
        end_call: The conversation is over after the text.
        waiting: The reply ends by asking the caller something (or calling a tool), so no
            further flow may add to it.
    """

    texts: list[str] = field(default_factory=list)
    call: ToolCallRequest | None = None
    end_call: bool = False
    waiting: bool = False


class Dialogue:
    """The context a flow works in for one round: state, memory, language, clinic, today.

    Args:
        state: The conversation state the loop shares.
        memory: The offline brain's memory for this call.
        reply: The reply being built.
    """

    def __init__(self, state: ConversationState, memory: DialogueMemory, reply: Reply) -> None:
        self.state = state
        self.memory = memory
        self.reply = reply

    @property
    def language(self) -> str:
        """The caller's language, "en" or "es"."""
        return self.state.language

    @property
    def facts(self) -> ClinicFacts:
        """The clinic's public facts."""
        return self.state.facts

    @property
    def today(self) -> date:
        """Today's date in the clinic's time zone."""
        return self.state.local_now().date()

    @property
    def verified(self) -> bool:
        """Whether the caller's identity has been verified in this call."""
        return self.state.verified_patient is not None

    def text(self, key: str, **values: Any) -> str:
        """Render the phrase ``key`` in the caller's language."""
        return phrase(key, self.language, **values)

    def has_text(self, key: str) -> bool:
        """Return whether the caller's language has its own phrase ``key``."""
        return has_phrase(key, self.language)

    def say(self, text: str) -> None:
        """Add ``text`` to the reply."""
        if text:
            self.reply.texts.append(text)

    def ask(self, awaiting: str, text: str) -> None:
        """End the reply with a question and remember what it asks for."""
        self.say(text)
        self.memory.awaiting = awaiting
        self.memory.question = text
        self.reply.waiting = True

    def call(self, name: str, arguments: dict[str, Any]) -> None:
        """End the reply with a request to run the tool ``name``."""
        self.memory.calls += 1
        call_id = f"offline_{self.state.turn}_{self.memory.calls}"
        payload = {key: value for key, value in arguments.items() if value is not None}
        self.reply.call = ToolCallRequest(call_id, name, json.dumps(payload, default=str))
        self.memory.awaiting = None
        self.reply.waiting = True

    def propose(self, name: str, arguments: dict[str, Any]) -> None:
        """Request the read-back of a data-changing tool (``confirmed=false``)."""
        self.memory.read_back = (name, arguments)
        self.call(name, {**arguments, "confirmed": False})

    def hand_over(
        self,
        reason: str,
        *,
        phrase_key: str | None,
        urgency: str = "normal",
        **details: Any,
    ) -> None:
        """Say ``phrase_key`` (if any) and request ``transfer_to_human``.

        Args:
            reason: A code of :data:`agent.handling.HANDOVER_REASONS`, recorded in words.
            phrase_key: What to say first, or None.
            urgency: normal, high or urgent.
            **details: Further ``transfer_to_human`` arguments (message, callback_number,
                caller_name); None values are left out.
        """
        if phrase_key:
            self.say(self.text(phrase_key))
        self.memory.handed_over = True
        self.memory.tasks.clear()
        words = HANDOVER_REASONS.get(reason, reason)
        self.call("transfer_to_human", {"reason": words, "urgency": urgency, **details})


class Flow(Protocol):
    """How the offline brain handles one kind of request.

    A flow moves its task forward one step at a time. :meth:`advance` asks the caller
    for what is missing or requests the next tool call, and returns False once the task is
    complete. :meth:`on_answer` reads the caller's reply to a question the flow asked, and
    :meth:`on_result` reads a tool result the flow requested.
    """

    def prefill(self, dialogue: Dialogue, task: Task, text: str) -> None:
        """Take the values the caller gave with the request itself."""
        ...

    def advance(self, dialogue: Dialogue, task: Task) -> bool:
        """Ask or call what comes next; return False when the task is complete."""
        ...

    def on_answer(self, dialogue: Dialogue, task: Task, text: str, answer: Answer) -> bool:
        """Read the caller's reply to ``dialogue.memory.awaiting``; False if not understood."""
        ...

    def on_result(self, dialogue: Dialogue, task: Task, exchange: ToolExchange) -> None:
        """Read the result of a tool call the flow requested."""
        ...

    def on_correction(self, dialogue: Dialogue, task: Task, text: str) -> bool:
        """Apply "no, Thursday" to a read-back; False when nothing in ``text`` applies."""
        ...
