"""The offline brain as a :class:`agent.brain.Brain`."""

from __future__ import annotations

from collections.abc import AsyncIterator

from agent.brain import BrainStep, ConversationState, EndCall, TextDelta
from agent.offline.memory import MEMORY_KEY, memory_of
from agent.offline.policy import Policy
from agent.offline.takeover import adopt_read_back


class OfflineBrain:
    """A rule-based brain; one instance may serve any number of calls.

    Each reply is one step of the dialogue policy: the text to say, then at most one tool
    call. The agent loop runs the tool and calls :meth:`reply` again with its result.
    """

    name = "offline"
    model: str | None = None

    async def reply(self, state: ConversationState, caller_text: str) -> AsyncIterator[BrainStep]:
        """Yield the text of this step, then its tool call or the end of the call."""
        fresh = MEMORY_KEY not in state.brain_memory
        memory = memory_of(state)
        if fresh and state.turn > 1:
            adopt_read_back(state, memory)
        policy = Policy(state, memory)
        if state.tool_round == 0:
            reply = policy.on_caller(caller_text)
        else:
            reply = policy.on_results(state.round_results)
        for text in reply.texts:
            yield TextDelta(text if text.endswith(" ") else text + " ")
        if reply.call is not None:
            yield reply.call
        if reply.end_call:
            yield EndCall("caller_done")
