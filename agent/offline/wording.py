"""Tool results as the caller hears them, in English or Spanish.

Tool messages are written in English to be spoken as they are, so English replies use
them. Spanish replies are composed here from the results' data (slot starts, provider
names, visit types) with the phrases in ``prompts/phrases/es.yaml``; every time they state
comes from that data, so the reply checker finds it in the tool result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.brain import ToolExchange
from agent.offline.dialogue import Dialogue
from agent.speech import spoken_clock, spoken_date, spoken_money


def _local(start: str) -> datetime:
    return datetime.fromisoformat(start)


def visit_name(dialogue: Dialogue, code: str) -> str:
    """Return the spoken name of a visit type in the caller's language."""
    key = f"types.{code}"
    if dialogue.language == "es" and dialogue.has_text(key):
        return dialogue.text(key)
    kind = dialogue.facts.appointment_type(code)
    return kind.name.lower() if kind else code.replace("_", " ")


def slot_phrase(dialogue: Dialogue, slot: dict[str, Any]) -> str:
    """Say an open slot or an appointment: "Tuesday, March 10 at 9:15 AM with Dr. Patel"."""
    if dialogue.language != "es":
        spoken = str(slot.get("spoken", ""))
        # An appointment's phrase starts with its visit type; a slot's with the day.
        return spoken
    moment = _local(str(slot["start"]))
    return dialogue.text(
        "slot",
        day=spoken_date(moment.date(), language="es", today=dialogue.today),
        # "a la una", "a las nueve": Spanish says the article in the singular for one.
        at="a la" if moment.hour % 12 == 1 else "a las",
        clock=spoken_clock(moment.time(), language="es"),
        provider=str(slot.get("provider", "")),
    )


def appointment_phrase(dialogue: Dialogue, appointment: dict[str, Any]) -> str:
    """Say one upcoming appointment, with its visit type."""
    if dialogue.language != "es":
        return str(appointment.get("spoken", ""))
    return dialogue.text(
        "appointment",
        kind=visit_name(dialogue, str(appointment.get("appointment_type", ""))),
        when=slot_phrase(dialogue, appointment),
    )


def appointment_listing(dialogue: Dialogue, appointments: list[dict[str, Any]]) -> str:
    """Say a list of appointments, numbered so the caller can pick one."""
    parts = [appointment_phrase(dialogue, a) for a in appointments]
    if len(parts) == 1:
        return parts[0]
    joiner = " y " if dialogue.language == "es" else " and "
    return ", ".join(parts[:-1]) + joiner + parts[-1]


def booking_read_back(dialogue: Dialogue, slot: dict[str, Any], code: str) -> str:
    """The Spanish read-back of a booking."""
    return dialogue.text(
        "booking.read_back", kind=visit_name(dialogue, code), when=slot_phrase(dialogue, slot)
    )


def result_text(dialogue: Dialogue, key: str, message: str, **values: Any) -> str:
    """Return the tool's own ``message`` in English, or the phrase ``key`` in Spanish."""
    if dialogue.language == "es" and dialogue.has_text(key):
        return dialogue.text(key, **values)
    return message


def insurance_answer(dialogue: Dialogue, exchange: ToolExchange) -> str:
    """Say an ``insurance_lookup`` result: the tool's message, or Spanish built from its data.

    A result whose data the Spanish phrases cannot state (a member ID check) keeps the
    tool's English message, because a wrong answer about coverage is worse than English.
    """
    result = exchange.result
    data = result.data
    if dialogue.language != "es" or not result.ok or "member_id_matches" in data:
        return result.message
    question = str(exchange.arguments.get("question", "plan_acceptance"))
    if question == "plan_acceptance":
        return _plan_acceptance_es(dialogue, data)
    if question == "copay":
        return _copay_es(dialogue, data, str(exchange.arguments.get("appointment_type", "")))
    coverages = data.get("coverages") or []
    if not coverages:
        return dialogue.text("insurance.no_coverage")
    coverage = coverages[0]
    return dialogue.text(
        "insurance.on_file",
        plan=coverage["plan"],
        last4=coverage["member_id_last4"],
        accepted=bool(coverage["accepted"]),
    )


def _plan_acceptance_es(dialogue: Dialogue, data: dict[str, Any]) -> str:
    if not data.get("payer_known", True):
        return dialogue.text("insurance.unknown_payer")
    if "plan" in data:
        key = "insurance.plan_accepted" if data.get("accepted") else "insurance.plan_declined"
        return dialogue.text(key, plan=f"{data['payer']} {data['plan']}")
    accepted = [str(plan) for plan in data.get("accepted_plans") or []]
    if not accepted:
        return dialogue.text("insurance.payer_declined", payer=data["payer"])
    plans = accepted[0] if len(accepted) == 1 else ", ".join(accepted[:-1]) + " y " + accepted[-1]
    return dialogue.text("insurance.payer_plans", payer=data["payer"], plans=plans)


def _copay_es(dialogue: Dialogue, data: dict[str, Any], code: str) -> str:
    cents = data.get("copay_cents")
    if cents is None:
        return dialogue.text("insurance.no_copay")
    visit = visit_name(dialogue, code)
    if cents == 0:
        return dialogue.text("insurance.copay_none", plan=data["plan"], visit=visit)
    amount = spoken_money(int(cents) // 100, int(cents) % 100, language="es")
    return dialogue.text("insurance.copay", plan=data["plan"], visit=visit, amount=amount)
