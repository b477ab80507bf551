"""The offline dialogue policy: one caller turn, or one round of tool results, at a time.

A caller turn is checked in this order. First come a yes to a message offer from the safety
rules, a goodbye, a request to hand over (billing, an upset caller) and a change of mind.
Then comes the answer to the question asked last, a read-back first of all, and then any new
requests. The current request then moves forward until the reply asks the caller something
or requests a tool call.
A turn that yields nothing usable is asked again once; the second in a row hands over.
"""

from __future__ import annotations

import re

from agent.brain import ConversationState, ToolExchange
from agent.offline.dialogue import Dialogue, Reply
from agent.offline.flows import FLOWS
from agent.offline.identity import AWAITS as IDENTITY_AWAITS
from agent.offline.identity import VERIFY_TOOL, on_identity_answer, on_verify_result
from agent.offline.intents import (
    Intent,
    changes_mind,
    detect_intents,
    for_someone_else,
    negated_intents,
    switches_request,
)
from agent.offline.memory import DialogueMemory, Task
from agent.parsing import Answer, AnswerKind, classify_answer
from agent.safety import fold
from agent.speech import spoken_phone

MISUNDERSTOOD_LIMIT = 2
TRANSFER_TOOL = "transfer_to_human"
HAND_OVER_INTENTS = {
    Intent.BILLING: ("billing_question", "handover.outside_scope"),
    Intent.UPSET: ("caller_upset", "handover.upset"),
}


_OPENING = re.compile(
    r"^(hi|hello|hey|good (morning|afternoon|evening)|yes|yeah|hola|buenos dias|buenas "
    r"(tardes|noches)|si|espanol|en espanol|spanish|english|ingles|um+|uh+|ok(ay)?)\b"
)


def _opening_words(text: str) -> bool:
    folded = fold(text).strip(" ?!.,")
    return bool(_OPENING.match(folded)) and len(folded.split()) <= 6


def _asks_for_spanish(text: str) -> bool:
    return bool(re.search(r"\b(espanol|spanish)\b", fold(text)))


# In an answer to "anything else?", words that ask for more even after a "no" or an
# "actually": "What about my husband's appointment?", "Actually, one more question".
_ASKS_MORE = re.compile(
    r"\?|\b(what about|how about|one more|another|question|also|can you|could you|can i|"
    r"could i|i need|i want|i'd like|i would like|otra|otro|pregunta|tambien|necesito|quiero|"
    r"quisiera|y mi|y la|y el)\b"
)


def _asks_more(text: str) -> bool:
    return bool(_ASKS_MORE.search(fold(text)))


_ADDS_REQUEST = re.compile(
    r"\b(also|another|one more|as well|again|actually|instead|and i (also )?(need|want|would "
    r"like)|tambien|ademas|otra)\b"
)


def _adds_request(text: str) -> bool:
    """Return whether an answer also carries a request of its own ("..., and also a refill")."""
    return bool(_ADDS_REQUEST.search(fold(text)))


def _previous_caller_words(state: ConversationState) -> str | None:
    """Return the caller's turn before this one (the question a message is taken for)."""
    users = [m for m in state.messages if m.get("role") == "user"]
    return str(users[-2]["content"]) if len(users) >= 2 else None


class Policy:
    """Decide the offline brain's reply for one round.

    Args:
        state: The conversation state.
        memory: The offline brain's memory for this call.
    """

    def __init__(self, state: ConversationState, memory: DialogueMemory) -> None:
        self.reply = Reply()
        self.dialogue = Dialogue(state, memory, self.reply)
        self.state = state
        self.memory = memory
        self._unclear = False
        self._again = False

    # --- caller turns -------------------------------------------------------------------

    def on_caller(self, text: str) -> Reply:
        """Build the reply to the caller's words."""
        dialogue, memory = self.dialogue, self.memory
        if memory.read_back is not None and memory.awaiting is None:
            # The reply that was to commit it was cut short, so the read-back still stands.
            if self.state.pending_read_back is not None:
                memory.awaiting = "confirm"
            else:
                memory.read_back = None
        answer = classify_answer(text)
        intents = detect_intents(text)
        if not dialogue.verified and for_someone_else(text):
            memory.for_someone_else = True
        self._again = _adds_request(text)
        if self._goodbye(text, answer, intents):
            return self.reply
        if memory.handed_over:
            dialogue.ask("task", dialogue.text("handover.waiting"))
            return self.reply
        understood = self._understand(text, answer, intents)
        if not understood and not self.reply.waiting:
            return self._not_understood()
        if not self._unclear:
            memory.misunderstood = 0
        if not self.reply.waiting:
            self._advance()
        return self.reply

    def _understand(self, text: str, answer: Answer, intents: list[Intent]) -> bool:
        memory = self.memory
        if self.state.offer == "nurse_message":
            self.state.offer = None
            if answer.kind is AnswerKind.AFFIRM or Intent.MESSAGE in intents:
                question = _previous_caller_words(self.state)
                slots = {"reason": "clinical_question", "message": question}
                memory.tasks.insert(0, Task(Intent.MESSAGE, slots))
                return True
        for intent in intents:
            if intent in HAND_OVER_INTENTS:
                reason, key = HAND_OVER_INTENTS[intent]
                self.dialogue.hand_over(reason, phrase_key=key)
                return True
        current = memory.current
        if current is not None and (
            current.intent in negated_intents(text)
            or (changes_mind(text) and not self._new(intents))
        ):
            return self._drop_current()
        if memory.current is None and not self._new(intents) and _opening_words(text):
            # "Hello?", "Hi, yes", "Español, por favor": greet back and ask what they need.
            if _asks_for_spanish(text):
                self.dialogue.say(self.dialogue.text("switched_to_spanish"))
            self.dialogue.ask("task", self.dialogue.text("how_can_i_help"))
            return True
        understood = False
        if memory.awaiting == "confirm" and memory.read_back is not None:
            understood = self._on_read_back_answer(text, answer, intents)
        elif memory.awaiting in IDENTITY_AWAITS:
            understood = on_identity_answer(self.dialogue, text)
        elif memory.awaiting == "anything_else":
            understood = answer.kind is AnswerKind.AFFIRM and not intents
            if understood:
                self.dialogue.ask("task", self.dialogue.text("how_can_i_help"))
        elif memory.awaiting is not None and memory.current is not None:
            flow = FLOWS[memory.current.intent]
            understood = flow.on_answer(self.dialogue, memory.current, text, answer)
        if self.reply.waiting:
            return True
        if understood and not _adds_request(text):
            # The words answered the question asked ("I have Cigna" to "what insurance do you
            # have?"); an intent they happen to match is not a new request.
            return True
        return self._add_requests(text, intents) or understood

    def _new(self, intents: list[Intent]) -> list[Intent]:
        memory = self.memory
        return [
            i
            for i in intents
            if i in FLOWS
            and not memory.has(i)
            and (self._again or not memory.recently_done(i, self.state.turn))
        ]

    def _add_requests(self, text: str, intents: list[Intent]) -> bool:
        memory = self.memory
        new = self._new(intents)
        if not new:
            return False
        if memory.current is not None and switches_request(text):
            # "Actually, cancel it instead": the new request replaces the current one.
            memory.tasks.pop(0)
            memory.read_back = None
        position = 0 if memory.current is None else len(memory.tasks)
        if memory.awaiting in IDENTITY_AWAITS and new == [Intent.INFO]:
            # "What are your hours?" while asked for a name: answer it first, since it needs
            # no identity, then ask for the name again.
            position = 0
        for intent in new:
            task = Task(intent)
            FLOWS[intent].prefill(self.dialogue, task, text)
            memory.tasks.insert(position, task)
            position += 1
        return True

    def _drop_current(self) -> bool:
        memory = self.memory
        memory.tasks.pop(0)
        memory.read_back = None
        memory.awaiting = None
        self.dialogue.say(self.dialogue.text("okay_never_mind"))
        return True

    def _on_read_back_answer(self, text: str, answer: Answer, intents: list[Intent]) -> bool:
        memory, dialogue = self.memory, self.dialogue
        assert memory.read_back is not None
        tool, arguments = memory.read_back
        task = memory.current
        if answer.kind is AnswerKind.AFFIRM:
            dialogue.call(tool, {**arguments, "confirmed": True})
            return True
        if task is None:
            return False

        flow = FLOWS[task.intent]
        corrects = answer.kind is AnswerKind.CORRECTION or (
            bool(answer.remainder) and not self._new(intents)
        )
        if corrects and flow.on_correction(dialogue, task, answer.remainder or text):
            memory.read_back = None
            return True
        if answer.kind in (AnswerKind.DENY, AnswerKind.CORRECTION):
            memory.read_back = None
            if self._new(intents):
                return False
            dialogue.ask("change", dialogue.text("what_to_change"))
            return True
        if self._new(intents):
            return False

        # Unclear: read the same proposal back again.
        self._unclear = True
        memory.misunderstood += 1
        if memory.misunderstood >= MISUNDERSTOOD_LIMIT:
            return False
        dialogue.propose(tool, arguments)
        return True

    def _goodbye(self, text: str, answer: Answer, intents: list[Intent]) -> bool:
        memory, dialogue = self.memory, self.dialogue
        done = intents == [Intent.GOODBYE] or (
            memory.awaiting == "anything_else"
            and answer.kind in (AnswerKind.DENY, AnswerKind.CORRECTION)
            and not self._new(intents)
            and not _asks_more(text)
        )
        if not done or memory.awaiting == "confirm":
            return False
        dialogue.say(dialogue.text("goodbye", clinic=dialogue.facts.name))
        self.reply.end_call = True
        self.reply.waiting = True
        return True

    def _not_understood(self) -> Reply:
        memory, dialogue = self.memory, self.dialogue
        memory.misunderstood += 1
        if memory.misunderstood >= MISUNDERSTOOD_LIMIT:
            dialogue.hand_over("not_understood", phrase_key="handover.not_understood")
            return self.reply
        question = memory.question if memory.awaiting else dialogue.text("how_can_i_help")
        dialogue.say(dialogue.text("not_understood"))
        dialogue.ask(memory.awaiting or "task", question or dialogue.text("how_can_i_help"))
        return self.reply

    # --- tool results -------------------------------------------------------------------

    def on_results(self, results: list[ToolExchange]) -> Reply:
        """Build the reply to the tool results of the last round."""
        dialogue, memory = self.dialogue, self.memory
        for exchange in results:
            if exchange.name == TRANSFER_TOOL:
                self._on_transfer(exchange)
            elif (
                exchange.name == VERIFY_TOOL
                and memory.current is not None
                and (memory.current.intent is not Intent.REGISTER)
            ):
                on_verify_result(dialogue, exchange)
            elif memory.current is not None:
                FLOWS[memory.current.intent].on_result(dialogue, memory.current, exchange)
            elif exchange.name == VERIFY_TOOL:
                on_verify_result(dialogue, exchange)
        if not self.reply.waiting:
            self._advance()
        return self.reply

    def _on_transfer(self, exchange: ToolExchange) -> None:
        dialogue, result = self.dialogue, exchange.result
        self.reply.waiting = True
        if not result.ok:
            # Usually "what's the best number to reach you?": ask, then try again.
            self.memory.handed_over = False
            arguments = next(
                (e.arguments for e in reversed(self.state.tool_log) if e.name == TRANSFER_TOOL),
                {},
            )
            retry = Task(Intent.MESSAGE, {"reason": arguments.get("reason", "callback_requested"),
                                          "message": arguments.get("message")})  # fmt: skip
            self.memory.tasks.insert(0, retry)
            dialogue.ask("callback_number", result.message)
            return
        self.memory.handed_over = True
        if dialogue.language != "es":
            dialogue.say(result.message)
        elif result.data.get("action") == "transfer":
            dialogue.say(dialogue.text("handover.transferring"))
        else:
            number = str(result.data.get("callback_number", ""))
            dialogue.say(dialogue.text("handover.message_taken", number=spoken_phone(number)))

    # --- moving forward -------------------------------------------------------------------

    def _advance(self) -> None:
        memory, dialogue = self.memory, self.dialogue
        while memory.tasks and not self.reply.waiting:
            task = memory.tasks[0]
            started = bool(task.slots.get("started"))
            task.slots["started"] = True
            if not started and self.reply.texts and dialogue.has_text(f"next.{task.intent}"):
                # A second request of the same call: say which one comes now.
                dialogue.say(dialogue.text(f"next.{task.intent}"))
            if FLOWS[task.intent].advance(dialogue, task):
                return
            memory.tasks.pop(0)
            memory.done[task.intent] = self.state.turn
            memory.awaiting = None
        if not self.reply.waiting and not memory.handed_over:
            if self.reply.texts or self.state.turn > 0:
                dialogue.ask("anything_else", dialogue.text("anything_else"))
            else:
                dialogue.ask("task", dialogue.text("how_can_i_help"))
