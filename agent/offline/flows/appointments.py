"""The caller's existing visits: when is my next one, move one, cancel one.

All three start from ``list_upcoming_appointments``. Slots: ``appointments`` (the listed
visits), ``target`` (the one the caller means) and ``committed``; rescheduling also uses
the slots of :mod:`agent.offline.scheduling`.
"""

from __future__ import annotations

from typing import Any

from agent.brain import ToolExchange
from agent.offline import scheduling
from agent.offline.dialogue import Dialogue
from agent.offline.extract import ANY_PROVIDER, appointment_type_in
from agent.offline.identity import need_identity
from agent.offline.memory import Task
from agent.offline.wording import appointment_listing, appointment_phrase, result_text, slot_phrase
from agent.parsing import Answer
from agent.safety import fold

LIST_TOOL = "list_upcoming_appointments"
RESCHEDULE_TOOL = "reschedule_appointment"
CANCEL_TOOL = "cancel_appointment"


def _appointments(task: Task) -> list[dict[str, Any]] | None:
    value = task.slots.get("appointments")
    return list(value) if isinstance(value, list) else None


class _UpcomingFlow:
    """Steps the three flows share: verification, the list, and picking one visit."""

    purpose = "which"

    def prefill(self, dialogue: Dialogue, task: Task, text: str) -> None:
        """Keep the words of the request to pick the visit once the list is known."""
        task.slots["request_text"] = text

    def _listed(self, dialogue: Dialogue, task: Task) -> bool | None:
        """Verify, list and pick the target; True/False ends the step, None goes on."""
        if need_identity(dialogue):
            return True
        appointments = _appointments(task)
        if appointments is None:
            dialogue.call(LIST_TOOL, {"limit": 5})
            return True
        if not appointments:
            return False
        if task.slots.get("target") is None:
            picked = _pick_appointment(dialogue, appointments, str(task.slots.get("request_text")))
            if len(appointments) == 1 or picked is not None:
                task.slots["target"] = picked or appointments[0]
                return None
            listing = appointment_listing(dialogue, appointments)
            question = dialogue.text(f"{self.purpose}.which", count=len(appointments),
                                     listing=listing)  # fmt: skip
            dialogue.ask("appointment_choice", question)
            return True
        return None

    def _on_list(self, dialogue: Dialogue, task: Task, exchange: ToolExchange) -> None:
        appointments = list(exchange.result.data.get("appointments") or [])
        task.slots["appointments"] = appointments
        adopted = task.slots.pop("adopted_appointment_id", None)
        for appointment in appointments:
            if adopted is not None and appointment.get("appointment_id") == adopted:
                task.slots["target"] = appointment
        if not appointments:
            dialogue.say(result_text(dialogue, f"{self.purpose}.none", exchange.result.message))

    def _choose(self, dialogue: Dialogue, task: Task, text: str) -> bool:
        appointments = _appointments(task) or []
        picked = _pick_appointment(dialogue, appointments, text)
        if picked is None:
            return False
        task.slots["target"] = picked
        return True

    def _committed(self, dialogue: Dialogue, task: Task, exchange: ToolExchange, key: str) -> bool:
        result = exchange.result
        if result.needs_confirmation:
            dialogue.ask("confirm", self._read_back(dialogue, task, result.message))
            return True
        if result.ok:
            task.slots["committed"] = True
            dialogue.memory.read_back = None
            dialogue.say(self._done(dialogue, task, result.message))
            return True
        dialogue.say(result.message)
        return False

    def _read_back(self, dialogue: Dialogue, task: Task, message: str) -> str:
        return message

    def _done(self, dialogue: Dialogue, task: Task, message: str) -> str:
        return message

    def on_correction(self, dialogue: Dialogue, task: Task, text: str) -> bool:
        """Pick another visit when the caller says the read-back names the wrong one."""
        return self._choose(dialogue, task, text)


class NextAppointmentFlow(_UpcomingFlow):
    """Tell the verified caller their upcoming visits."""

    purpose = "next"

    def advance(self, dialogue: Dialogue, task: Task) -> bool:
        """Verify, list, and say the visits."""
        if task.slots.get("said"):
            return False
        if need_identity(dialogue):
            return True
        if _appointments(task) is None:
            dialogue.call(LIST_TOOL, {"limit": 3})
            return True
        return False

    def on_answer(self, dialogue: Dialogue, task: Task, text: str, answer: Answer) -> bool:
        """Nothing is asked by this flow besides identity."""
        return False

    def on_result(self, dialogue: Dialogue, task: Task, exchange: ToolExchange) -> None:
        """Say the upcoming visits."""
        if exchange.name != LIST_TOOL:
            return
        appointments = list(exchange.result.data.get("appointments") or [])
        task.slots["appointments"] = appointments
        task.slots["said"] = True
        if dialogue.language != "es":
            dialogue.say(exchange.result.message)
        elif appointments:
            listing = appointment_listing(dialogue, appointments)
            dialogue.say(dialogue.text("next.listing", count=len(appointments), listing=listing))
        else:
            dialogue.say(dialogue.text("next.none"))


class RescheduleFlow(_UpcomingFlow):
    """Move one of the verified caller's visits to another open time."""

    purpose = "reschedule"

    def prefill(self, dialogue: Dialogue, task: Task, text: str) -> None:
        """Keep the request's words and any new day, time or provider said with it."""
        super().prefill(dialogue, task, text)
        scheduling.take_when_and_provider(dialogue, task, _after_to(text))

    def advance(self, dialogue: Dialogue, task: Task) -> bool:
        """Verify, pick the visit, ask when, search, propose, finish."""
        slots = task.slots
        if slots.get("committed"):
            return False
        listed = self._listed(dialogue, task)
        if listed is not None:
            return listed

        target: dict[str, Any] = slots["target"]
        if not scheduling.preference(task).given and not slots.get("asked_when"):
            slots["asked_when"] = True
            said = dialogue.text("reschedule.one", appointment=appointment_phrase(dialogue, target))
            dialogue.say(said)
            dialogue.ask("when", dialogue.text("reschedule.ask_when"))
            return True

        chosen = slots.get("chosen")
        if chosen is not None:
            arguments: dict[str, Any] = {
                "appointment_id": target["appointment_id"],
                "new_start": chosen["start"],
            }
            if chosen.get("provider_id") != target.get("provider_id"):
                arguments["provider_id"] = chosen["provider_id"]
            dialogue.propose(RESCHEDULE_TOOL, arguments)
            return True
        if slots.get("offered"):
            dialogue.ask("slot_choice", dialogue.text("booking.ask_choice"))
            return True
        if int(slots.get("searches", 0)) >= 6:
            dialogue.hand_over("no_suitable_slot", phrase_key="handover.connecting")
            return True
        if slots.get("provider") is None:
            slots["provider"] = dialogue.facts.provider_by_id(int(target["provider_id"]))
            slots["provider_defaulted"] = True
        scheduling.search(dialogue, task, str(target["appointment_type"]))
        return True

    def on_answer(self, dialogue: Dialogue, task: Task, text: str, answer: Answer) -> bool:
        """Read which visit, when to, the slot picked or a correction."""
        awaiting = dialogue.memory.awaiting
        if awaiting == "appointment_choice":
            # "Next Thursday afternoon" before saying which visit: keep it for the search.
            chose = self._choose(dialogue, task, text)
            return scheduling.take_when_and_provider(dialogue, task, text) or chose
        if awaiting == "when":
            return scheduling.take_when_and_provider(dialogue, task, text)
        if awaiting == "slot_choice":
            return scheduling.pick_slot(dialogue, task, text, answer)
        if awaiting == "change":
            return self.on_correction(dialogue, task, text)
        return False

    def on_correction(self, dialogue: Dialogue, task: Task, text: str) -> bool:
        """Apply a new day, time or provider to the proposed move."""
        return scheduling.take_when_and_provider(dialogue, task, text)

    def on_result(self, dialogue: Dialogue, task: Task, exchange: ToolExchange) -> None:
        """Take the list, offer slots, read back, confirm."""
        if exchange.name == LIST_TOOL:
            self._on_list(dialogue, task, exchange)
        elif exchange.name == scheduling.FIND_TOOL:
            if exchange.result.ok:
                scheduling.offer(dialogue, task, exchange)
            else:
                dialogue.say(exchange.result.message)
                task.slots["provider"] = ANY_PROVIDER
        elif exchange.name == RESCHEDULE_TOOL and not self._committed(
            dialogue, task, exchange, "reschedule"
        ):
            task.slots.pop("chosen", None)
            task.slots.pop("offered", None)

    def _read_back(self, dialogue: Dialogue, task: Task, message: str) -> str:
        target = task.slots.get("target")
        if dialogue.language != "es" or target is None or "chosen" not in task.slots:
            return message
        return dialogue.text(
            "reschedule.read_back",
            old=slot_phrase(dialogue, target),
            new=slot_phrase(dialogue, task.slots["chosen"]),
        )

    def _done(self, dialogue: Dialogue, task: Task, message: str) -> str:
        if dialogue.language != "es":
            return message
        return dialogue.text("reschedule.done", new=slot_phrase(dialogue, task.slots["chosen"]))


class CancelFlow(_UpcomingFlow):
    """Cancel one of the verified caller's visits, stating the late-cancellation policy."""

    purpose = "cancel"

    def advance(self, dialogue: Dialogue, task: Task) -> bool:
        """Verify, pick the visit, propose, finish."""
        if task.slots.get("committed") or task.slots.get("failed"):
            return False
        listed = self._listed(dialogue, task)
        if listed is not None:
            return listed
        target = task.slots["target"]
        dialogue.propose(CANCEL_TOOL, {"appointment_id": target["appointment_id"]})
        return True

    def on_answer(self, dialogue: Dialogue, task: Task, text: str, answer: Answer) -> bool:
        """Read which visit to cancel."""
        if dialogue.memory.awaiting in ("appointment_choice", "change"):
            return self._choose(dialogue, task, text)
        return False

    def on_result(self, dialogue: Dialogue, task: Task, exchange: ToolExchange) -> None:
        """Take the list, read the cancellation back, confirm it."""
        if exchange.name == LIST_TOOL:
            self._on_list(dialogue, task, exchange)
        elif exchange.name == CANCEL_TOOL and not self._committed(
            dialogue, task, exchange, "cancel"
        ):
            task.slots["failed"] = True

    def _read_back(self, dialogue: Dialogue, task: Task, message: str) -> str:
        target = task.slots.get("target")
        if dialogue.language != "es" or target is None:
            return message
        late = dialogue.state.round_results[-1].result.data.get("proposal", {})
        key = "cancel.read_back_late" if late.get("late_cancellation") else "cancel.read_back"
        return dialogue.text(key, appointment=appointment_phrase(dialogue, target))

    def _done(self, dialogue: Dialogue, task: Task, message: str) -> str:
        if dialogue.language != "es" or "target" not in task.slots:
            return message
        return dialogue.text(
            "cancel.done", appointment=appointment_phrase(dialogue, task.slots["target"])
        )


def _after_to(text: str) -> str:
    """Return the words after "to"/"for", where a new time stands ("move it to Friday")."""
    folded = fold(text)
    for marker in (" to ", " for ", " para ", " al "):
        if marker in folded:
            return folded.split(marker, 1)[1]
    return ""


def _pick_appointment(
    dialogue: Dialogue, appointments: list[dict[str, Any]], text: str
) -> dict[str, Any] | None:
    if not appointments or not text:
        return None
    picked = scheduling.choose(dialogue, appointments, text)
    if picked is not None:
        return picked
    code = appointment_type_in(text, dialogue.facts)
    if code is not None:
        same = [a for a in appointments if a.get("appointment_type") == code]
        if len(same) == 1:
            return same[0]
    return None
