"""Booking a new visit: visit type, when, an open slot, read-back, yes, booked.

Slots (besides those of :mod:`agent.offline.scheduling`): ``new_patient`` (the caller says
they have never been seen; registration comes first), ``reason`` and ``committed``.
"""

from __future__ import annotations

from agent.brain import ToolExchange
from agent.offline import scheduling
from agent.offline.dialogue import Dialogue
from agent.offline.extract import (
    WhenPreference,
    appointment_type_in,
    ordinal_in,
    says_new_patient,
)
from agent.offline.identity import need_identity
from agent.offline.intents import Intent
from agent.offline.memory import Task
from agent.offline.wording import booking_read_back, result_text, slot_phrase, visit_name
from agent.parsing import Answer

BOOK_TOOL = "book_appointment"
MAX_SEARCHES = 6


class BookingFlow:
    """Book a visit for the verified caller (or a newly registered one)."""

    def prefill(self, dialogue: Dialogue, task: Task, text: str) -> None:
        """Take the visit type, provider, day and time said with the request."""
        code = appointment_type_in(text, dialogue.facts)
        if code is not None:
            task.slots["type"] = code
        new = says_new_patient(text)
        if new is not None:
            task.slots["new_patient"] = new
        scheduling.take_when_and_provider(dialogue, task, text)

    def advance(self, dialogue: Dialogue, task: Task) -> bool:
        """Ask for what is missing, search, propose or finish."""
        slots = task.slots
        if slots.get("committed"):
            return False
        if slots.get("new_patient") and not dialogue.verified:
            return self._register_first(dialogue, task)
        if need_identity(dialogue):
            return True

        if "type" not in slots:
            dialogue.ask("type", dialogue.text("booking.ask_type", examples=_examples(dialogue)))
            return True
        when = scheduling.preference(task)
        if not when.given and not slots.get("asked_when"):
            slots["asked_when"] = True
            dialogue.ask("when", dialogue.text("booking.ask_when"))
            return True

        chosen = slots.get("chosen")
        if chosen is not None:
            arguments = {
                "provider_id": chosen["provider_id"],
                "appointment_type": chosen["appointment_type"],
                "start": chosen["start"],
                "reason": slots.get("reason"),
            }
            dialogue.propose(BOOK_TOOL, arguments)
            return True
        if slots.get("offered"):
            dialogue.ask("slot_choice", dialogue.text("booking.ask_choice"))
            return True
        if int(slots.get("searches", 0)) >= MAX_SEARCHES:
            dialogue.hand_over("no_suitable_slot", phrase_key="handover.connecting")
            return True
        scheduling.search(dialogue, task, str(slots["type"]))
        return True

    def _register_first(self, dialogue: Dialogue, task: Task) -> bool:
        memory = dialogue.memory
        if not memory.has(Intent.REGISTER):
            from agent.offline.flows import FLOWS

            dialogue.say(dialogue.text("booking.new_patient_first"))
            task.slots["type"] = "new_patient"
            registration = Task(Intent.REGISTER)
            memory.tasks.insert(0, registration)
            return FLOWS[Intent.REGISTER].advance(dialogue, registration)
        task.slots["new_patient"] = False
        return self.advance(dialogue, task)

    def on_answer(self, dialogue: Dialogue, task: Task, text: str, answer: Answer) -> bool:
        """Read the visit type, the preferred time, the slot picked or a correction."""
        awaiting = dialogue.memory.awaiting
        if awaiting == "type":
            code = appointment_type_in(text, dialogue.facts) or _example_picked(dialogue, text)
            # A day or provider said instead is kept, and the type is asked again.
            other = scheduling.take_when_and_provider(dialogue, task, text)
            if code is None:
                return other
            task.slots["type"] = code
            return True
        if awaiting == "when":
            return scheduling.take_when_and_provider(dialogue, task, text)
        if awaiting == "slot_choice":
            return scheduling.pick_slot(dialogue, task, text, answer)
        if awaiting == "change":
            return self.on_correction(dialogue, task, text)
        return False

    def on_correction(self, dialogue: Dialogue, task: Task, text: str) -> bool:
        """Apply a new day, time, provider or visit type to the proposed booking."""
        code = appointment_type_in(text, dialogue.facts)
        changed = scheduling.take_when_and_provider(dialogue, task, text)
        if code is not None and code != task.slots.get("type"):
            task.slots["type"] = code
            task.slots.pop("offered", None)
            task.slots.pop("chosen", None)
            changed = True
        return changed

    def on_result(self, dialogue: Dialogue, task: Task, exchange: ToolExchange) -> None:
        """Offer the slots found, read the booking back, or confirm it."""
        result = exchange.result
        if exchange.name == scheduling.FIND_TOOL:
            if result.ok:
                scheduling.offer(dialogue, task, exchange)
                return
            self._search_failed(dialogue, task, exchange)
            return
        if exchange.name != BOOK_TOOL:
            return
        chosen = task.slots.get("chosen") or {}
        if result.needs_confirmation:
            text = result.message
            if dialogue.language == "es":
                text = booking_read_back(dialogue, chosen, str(task.slots.get("type", "")))
            dialogue.ask("confirm", text)
            return
        if result.ok:
            task.slots["committed"] = True
            dialogue.memory.read_back = None
            kind = visit_name(dialogue, str(task.slots.get("type", "")))
            when = slot_phrase(dialogue, chosen) if chosen else ""
            dialogue.say(result_text(dialogue, "booking.booked", result.message,
                                     kind=kind, when=when))  # fmt: skip
            return
        # Taken meanwhile, or no longer allowed: say why and look again.
        dialogue.say(result_text(dialogue, "booking.slot_gone", result.message))
        task.slots.pop("chosen", None)
        task.slots.pop("offered", None)

    def _search_failed(self, dialogue: Dialogue, task: Task, exchange: ToolExchange) -> None:
        result = exchange.result
        data = result.data
        if data.get("patient_is_established") is False and task.slots.get("type") != "new_patient":
            task.slots["type"] = "new_patient"
            return
        dialogue.say(result.message)
        if data.get("patient_is_established") is True:
            task.slots.pop("type", None)
        elif data.get("providers") is not None or result.error == "not_found":
            # A provider who does not offer the visit, or a name the clinic does not know:
            # search everyone who does, after saying so.
            task.slots.pop("provider", None)
        elif result.error == "invalid_argument":
            task.slots["when"] = WhenPreference()
            task.slots["asked_when"] = False


def _example_codes(dialogue: Dialogue) -> list[str]:
    return [t.code for t in dialogue.facts.appointment_types if t.for_established_patients][:3]


def _example_picked(dialogue: Dialogue, text: str) -> str | None:
    """Return the example visit type picked by position ("the first one"), or None."""
    options = [{"code": code} for code in _example_codes(dialogue)]
    ordinal = ordinal_in(text)
    if ordinal is not None and 1 <= ordinal <= len(options):
        return str(options[ordinal - 1]["code"])
    return None


def _examples(dialogue: Dialogue) -> str:
    codes = _example_codes(dialogue)
    names = [visit_name(dialogue, code) for code in codes]
    if not names:
        return ""
    joiner = " o " if dialogue.language == "es" else " or "
    return ", ".join(names[:-1]) + joiner + names[-1] if len(names) > 1 else names[0]
