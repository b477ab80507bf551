"""Refills, insurance questions, clinic information and messages for the care team.

Slots: refill ``medication``, ``pharmacy``, ``urgency``, ``committed``; insurance
``question``, ``payer``, ``plan``, ``answered``; information ``topic``, ``date``,
``answered``; message ``reason``, ``sent``.
"""

from __future__ import annotations

import re

from agent.brain import ToolExchange
from agent.offline.dialogue import Dialogue
from agent.offline.extract import (
    appointment_type_in,
    bare_medication,
    english_dates,
    insurance_question,
    medication_in,
    payer_in,
    pharmacy_in,
    refill_urgency,
    wants_usual_pharmacy,
)
from agent.offline.identity import need_identity
from agent.offline.intents import info_topics
from agent.offline.memory import Task
from agent.offline.wording import insurance_answer, result_text
from agent.parsing import Answer, parse_phone_number
from agent.speech import spoken_clock
from tools.datetimes import resolve_date

REFILL_TOOL = "request_refill"
INSURANCE_TOOL = "insurance_lookup"
INFO_TOOL = "clinic_information"


class RefillFlow:
    """Send a refill request for the verified caller to the right queue."""

    def prefill(self, dialogue: Dialogue, task: Task, text: str) -> None:
        """Take the medication, pharmacy and urgency said with the request."""
        medication = medication_in(text)
        if medication is not None:
            task.slots["medication"] = medication
        pharmacy = pharmacy_in(text)
        if pharmacy is not None:
            task.slots["pharmacy"] = pharmacy
        task.slots["urgency"] = refill_urgency(text)

    def advance(self, dialogue: Dialogue, task: Task) -> bool:
        """Verify, ask for the medication, propose, finish."""
        slots = task.slots
        if slots.get("committed") or slots.get("failed"):
            return False
        if need_identity(dialogue):
            return True
        if not slots.get("medication"):
            dialogue.ask("medication", dialogue.text("refill.ask_medication"))
            return True
        dialogue.propose(
            REFILL_TOOL,
            {
                "medication": slots["medication"],
                "pharmacy": slots.get("pharmacy"),
                "urgency": slots.get("urgency", "routine"),
            },
        )
        return True

    def on_answer(self, dialogue: Dialogue, task: Task, text: str, answer: Answer) -> bool:
        """Read the medication (or its strength), or a correction."""
        awaiting = dialogue.memory.awaiting
        if awaiting == "medication":
            return self._take_medication(task, text)
        if awaiting == "change":
            return self.on_correction(dialogue, task, text)
        return False

    def _take_medication(self, task: Task, text: str) -> bool:
        strength = re.search(r"\d+(?:\.\d+)?\s*(?:mg|milligrams?|mcg|miligramos?)?", text)
        previous = task.slots.get("medication")
        if previous and strength and task.slots.get("asked_strength"):
            task.slots["medication"] = f"{str(previous).split()[0]} {strength.group().strip()}"
            return True
        medication = medication_in(text) or bare_medication(text)
        if medication is None:
            return False
        task.slots["medication"] = medication
        pharmacy = pharmacy_in(text)
        if pharmacy is not None:
            task.slots["pharmacy"] = pharmacy
        return True

    def on_correction(self, dialogue: Dialogue, task: Task, text: str) -> bool:
        """Apply another pharmacy or medication to the proposed request."""
        pharmacy = pharmacy_in(text)
        if pharmacy is not None:
            task.slots["pharmacy"] = pharmacy
            return True
        if wants_usual_pharmacy(text):
            task.slots["pharmacy"] = None
            return True
        medication = medication_in(text)
        if medication is not None:
            task.slots["medication"] = medication
            return True
        return False

    def on_result(self, dialogue: Dialogue, task: Task, exchange: ToolExchange) -> None:
        """Read the request back, confirm it, or ask which strength."""
        result = exchange.result
        slots = task.slots
        if result.needs_confirmation:
            text = result_text(dialogue, "refill.read_back", result.message,
                               medication=slots.get("medication"),
                               pharmacy=slots.get("pharmacy"))  # fmt: skip
            dialogue.ask("confirm", text)
            return
        if result.ok:
            slots["committed"] = True
            dialogue.memory.read_back = None
            status = str(result.data.get("status", "queued"))
            dialogue.say(result_text(dialogue, f"refill.done_{status}", result.message,
                                     medication=slots.get("medication")))  # fmt: skip
            return
        if result.error == "invalid_argument":
            # "Is that the 10 or the 20 milligram?" or "Which one: CVS on Main or on Elm?"
            slots["asked_strength"] = "?" in result.message and "mg" in result.message.lower()
            awaiting = "medication" if slots["asked_strength"] else "change"
            dialogue.ask(awaiting, result.message)
            return
        dialogue.say(result.message)
        slots["failed"] = True


class InsuranceFlow:
    """Answer whether a plan is accepted (no identity needed) or about coverage on file."""

    def prefill(self, dialogue: Dialogue, task: Task, text: str) -> None:
        """Take the question, payer, plan and visit type said with the request."""
        task.slots["question"] = insurance_question(text)
        payer = payer_in(text)
        if payer is not None:
            task.slots["payer"], task.slots["plan"] = payer
        code = appointment_type_in(text, dialogue.facts)
        if code is not None:
            task.slots["type"] = code

    def advance(self, dialogue: Dialogue, task: Task) -> bool:
        """Ask for the plan or verify as the question needs, then look it up."""
        slots = task.slots
        if slots.get("answered"):
            return False
        question = str(slots.get("question", "plan_acceptance"))
        if question != "plan_acceptance" and need_identity(dialogue):
            return True
        if question == "plan_acceptance" and not slots.get("payer"):
            dialogue.ask("payer", dialogue.text("insurance.ask_plan"))
            return True
        dialogue.call(
            INSURANCE_TOOL,
            {
                "question": question,
                "payer": slots.get("payer"),
                "plan": slots.get("plan"),
                "appointment_type": slots.get("type") if question == "copay" else None,
            },
        )
        return True

    def on_answer(self, dialogue: Dialogue, task: Task, text: str, answer: Answer) -> bool:
        """Read the insurance company the caller named."""
        payer = payer_in(text)
        if payer is None:
            words = text.strip(" .!?")
            if not words or len(words.split()) > 6:
                return False
            task.slots["payer"], task.slots["plan"] = words, None
            return True
        task.slots["payer"], task.slots["plan"] = payer
        return True

    def on_correction(self, dialogue: Dialogue, task: Task, text: str) -> bool:
        """Insurance answers propose nothing, so there is nothing to correct."""
        return False

    def on_result(self, dialogue: Dialogue, task: Task, exchange: ToolExchange) -> None:
        """Say the answer, in Spanish for a Spanish caller."""
        task.slots["answered"] = True
        dialogue.say(insurance_answer(dialogue, exchange))


class InfoFlow:
    """Say clinic facts: hours, address, parking, phone, fax, portal, holidays.

    Slots: ``topics`` (every fact asked about, in order), ``date`` (the day asked about, for
    hours).
    """

    def prefill(self, dialogue: Dialogue, task: Task, text: str) -> None:
        """Take the topics and, for hours, the day asked about."""
        topics = info_topics(text)
        if topics:
            task.slots["topics"] = topics
        day = resolve_date(english_dates(text), today=dialogue.today)
        if day is not None and "hours" in topics:
            task.slots["date"] = day.start.isoformat()

    def advance(self, dialogue: Dialogue, task: Task) -> bool:
        """Ask which fact, or look up the next one."""
        topics = task.slots.get("topics")
        if topics is None:
            dialogue.ask("info_topic", dialogue.text("info.ask_topic"))
            return True
        if not topics:
            return False
        topic = topics[0]
        date = task.slots.get("date") if topic == "hours" else None
        dialogue.call(INFO_TOOL, {"topic": topic, "date": date})
        return True

    def on_answer(self, dialogue: Dialogue, task: Task, text: str, answer: Answer) -> bool:
        """Read the topics asked about."""
        topics = info_topics(text)
        if not topics:
            return False
        task.slots["topics"] = topics
        return True

    def on_correction(self, dialogue: Dialogue, task: Task, text: str) -> bool:
        """Nothing to correct: information is only said."""
        return False

    def on_result(self, dialogue: Dialogue, task: Task, exchange: ToolExchange) -> None:
        """Say the fact, in Spanish from the clinic's facts where it can."""
        topic = str(exchange.arguments.get("topic", ""))
        topics = list(task.slots.get("topics") or [])
        if topic in topics:
            topics.remove(topic)
        task.slots["topics"] = topics
        dialogue.say(_spanish_fact(dialogue, topic) or exchange.result.message)


def _spanish_fact(dialogue: Dialogue, topic: str) -> str | None:
    if dialogue.language != "es":
        return None
    facts = dialogue.facts
    if topic == "address":
        return dialogue.text("info.address", address=facts.address)
    if topic != "hours":
        return None
    days = dialogue.text("info.weekdays").split(",")
    parts: list[str] = []
    for index, window in enumerate(facts.hours.values()):
        if window is None:
            continue
        opens, closes = (_clock(value) for value in window)
        parts.append(dialogue.text("info.day_hours", day=days[index].strip(), opens=opens,
                                   closes=closes))  # fmt: skip
    return dialogue.text("info.hours", days="; ".join(parts))


def _clock(value: str) -> str:
    from datetime import time

    return spoken_clock(time.fromisoformat(value), language="es")


class MessageFlow:
    """Take a message for the care team, through ``transfer_to_human``.

    Slots: ``reason`` (a code of :data:`agent.handling.HANDOVER_REASONS`), ``callback_number``
    (asked for when the tool has no number to call back), ``message`` and ``sent``.
    """

    def prefill(self, dialogue: Dialogue, task: Task, text: str) -> None:
        """Keep the caller's words as the message."""
        task.slots.setdefault("reason", "callback_requested")
        task.slots.setdefault("message", text)

    def advance(self, dialogue: Dialogue, task: Task) -> bool:
        """Request the hand-over that takes the message."""
        if task.slots.get("sent"):
            return False
        task.slots["sent"] = True
        name = dialogue.memory.name
        dialogue.hand_over(
            str(task.slots["reason"]),
            phrase_key=None,
            message=task.slots.get("message"),
            callback_number=task.slots.get("callback_number"),
            caller_name=name.full if name is not None and not dialogue.verified else None,
        )
        return True

    def on_answer(self, dialogue: Dialogue, task: Task, text: str, answer: Answer) -> bool:
        """Read the number to call back on."""
        if dialogue.memory.awaiting != "callback_number":
            return False
        phone = parse_phone_number(text)
        if phone is None:
            return False
        task.slots["callback_number"] = phone
        return True

    def on_correction(self, dialogue: Dialogue, task: Task, text: str) -> bool:
        """Nothing to correct."""
        return False

    def on_result(self, dialogue: Dialogue, task: Task, exchange: ToolExchange) -> None:
        """The policy says the hand-over result."""
