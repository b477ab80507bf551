"""New-patient registration: name, date of birth, phone, insurance, read-back, yes.

Slots: ``phone``, ``payer``, ``plan``, ``asked_insurance``, ``committed``; the name and the
date of birth are shared with verification in the dialogue memory, so a caller who already
gave them is not asked twice.
"""

from __future__ import annotations

import re

from agent.brain import ToolExchange
from agent.offline.dialogue import Dialogue
from agent.offline.extract import payer_in, says_none
from agent.offline.identity import VERIFY_TOOL, on_verify_result, take_identity_details
from agent.offline.memory import Task
from agent.parsing import Answer, parse_phone_number
from agent.safety import fold
from agent.speech import spoken_date, spoken_phone

REGISTER_TOOL = "register_new_patient"
_THIS_NUMBER = re.compile(r"\b(this (number|one|phone)|the one i'?m calling from|este (numero)?)\b")


class RegistrationFlow:
    """Open a chart, pending staff review, for a caller who is not yet a patient."""

    def prefill(self, dialogue: Dialogue, task: Task, text: str) -> None:
        """Take a name or date of birth said with the request."""
        take_identity_details(dialogue, text)

    def advance(self, dialogue: Dialogue, task: Task) -> bool:
        """Ask for each detail in turn, then propose the registration."""
        slots = task.slots
        memory = dialogue.memory
        if slots.get("committed") or slots.get("failed") or dialogue.verified:
            return False
        if not slots.get("introduced"):
            slots["introduced"] = True
            dialogue.say(dialogue.text("register.intro"))
        if memory.name is None:
            dialogue.ask("reg_name", dialogue.text("register.ask_name"))
            return True
        if memory.date_of_birth is None:
            dialogue.ask("reg_dob", dialogue.text("register.ask_dob"))
            return True
        if not slots.get("phone"):
            dialogue.ask("reg_phone", dialogue.text("register.ask_phone"))
            return True
        if not slots.get("asked_insurance"):
            slots["asked_insurance"] = True
            dialogue.ask("reg_insurance", dialogue.text("register.ask_insurance"))
            return True
        dialogue.propose(
            REGISTER_TOOL,
            {
                "first_name": memory.name.given,
                "last_name": memory.name.family,
                "date_of_birth": memory.date_of_birth.isoformat(),
                "phone": slots["phone"],
                "preferred_language": dialogue.language,
                "insurance_payer": slots.get("payer"),
                "insurance_plan": slots.get("plan"),
            },
        )
        return True

    def on_answer(self, dialogue: Dialogue, task: Task, text: str, answer: Answer) -> bool:
        """Read the detail asked for."""
        awaiting = dialogue.memory.awaiting
        if awaiting in ("reg_name", "reg_dob"):
            return take_identity_details(dialogue, text)
        if awaiting == "reg_phone":
            return self._take_phone(dialogue, task, text)
        if awaiting == "reg_insurance":
            return self._take_insurance(task, text)
        if awaiting == "change":
            return self.on_correction(dialogue, task, text)
        return False

    def _take_phone(self, dialogue: Dialogue, task: Task, text: str) -> bool:
        phone = parse_phone_number(text)
        if phone is None and _THIS_NUMBER.search(fold(text)):
            phone = dialogue.state.caller_number
        if phone is None:
            return False
        task.slots["phone"] = phone
        return True

    def _take_insurance(self, task: Task, text: str) -> bool:
        if says_none(text):
            return True
        payer = payer_in(text)
        if payer is None:
            return False
        task.slots["payer"], task.slots["plan"] = payer
        return True

    def on_correction(self, dialogue: Dialogue, task: Task, text: str) -> bool:
        """Replace the name, date of birth, phone or insurance the caller corrects."""
        if take_identity_details(dialogue, text):
            return True
        if self._take_phone(dialogue, task, text):
            return True
        payer = payer_in(text)
        if payer is not None:
            task.slots["payer"], task.slots["plan"] = payer
            return True
        return False

    def on_result(self, dialogue: Dialogue, task: Task, exchange: ToolExchange) -> None:
        """Read back, confirm, or verify a caller who turns out to be on file."""
        result = exchange.result
        if exchange.name == VERIFY_TOOL:
            on_verify_result(dialogue, exchange)
            task.slots["failed"] = True
            return
        if result.needs_confirmation:
            dialogue.ask("confirm", self._read_back(dialogue, task, result.message))
            return
        if result.ok:
            task.slots["committed"] = True
            dialogue.memory.read_back = None
            text = result.message
            if dialogue.language == "es" and dialogue.memory.name is not None:
                text = dialogue.text("register.done", first_name=dialogue.memory.name.given)
            dialogue.say(text)
            return
        dialogue.say(result.message)
        memory = dialogue.memory
        if result.escalate:
            # The tool allows no more attempts: hand over now, before "anything else?".
            task.slots["failed"] = True
            dialogue.hand_over(
                "registration_incomplete",
                phrase_key=None,
                callback_number=task.slots.get("phone"),
            )
            return
        if result.error == "rule_violation" and memory.name and memory.date_of_birth:
            # Already on file: verify with the same details instead of a second chart.
            dialogue.call(
                VERIFY_TOOL,
                {
                    "first_name": memory.name.given,
                    "last_name": memory.name.family,
                    "date_of_birth": memory.date_of_birth.isoformat(),
                },
            )
            return
        if result.error == "invalid_argument":
            memory.date_of_birth = None
            return
        task.slots["failed"] = True

    def _read_back(self, dialogue: Dialogue, task: Task, message: str) -> str:
        memory = dialogue.memory
        if dialogue.language != "es" or memory.name is None or memory.date_of_birth is None:
            return message
        return dialogue.text(
            "register.read_back",
            name=memory.name.full,
            born=spoken_date(memory.date_of_birth, language="es"),
            phone=spoken_phone(str(task.slots.get("phone", ""))),
        )
