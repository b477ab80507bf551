"""Finding, offering and choosing open times, shared by booking and rescheduling.

A task's ``slots`` hold, for scheduling:

- ``when``: the caller's :class:`agent.offline.extract.WhenPreference`;
- ``asked_when``: the caller has been asked when they want to come in;
- ``provider``: a :class:`agent.facts.ProviderFacts`, :data:`ANY_PROVIDER` or absent;
- ``type``: the visit-type code;
- ``offered``: the slots said to the caller; ``chosen``: the one they picked.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from agent.brain import ToolExchange
from agent.facts import ProviderFacts
from agent.offline.dialogue import Dialogue
from agent.offline.extract import (
    ANY_PROVIDER,
    WhenPreference,
    english_dates,
    ordinal_in,
    provider_in,
    when_in,
)
from agent.offline.memory import Task
from agent.offline.wording import slot_phrase
from agent.parsing import Answer, AnswerKind
from agent.safety import fold
from tools.datetimes import resolve_date, resolve_time

SEARCH_LIMIT = 10
FIND_TOOL = "find_open_slots"


def preference(task: Task) -> WhenPreference:
    """Return the task's time preference, creating an empty one."""
    when = task.slots.get("when")
    if not isinstance(when, WhenPreference):
        when = WhenPreference()
        task.slots["when"] = when
    return when


def merge_when(task: Task, new: WhenPreference) -> None:
    """Apply a new preference: a new day replaces the old day, a new time the old time."""
    when = preference(task)
    if new.date_from is not None:
        when.date_from, when.date_to = new.date_from, new.date_to
        when.earliest = False
        # "No, Friday": a new day alone drops the old day's times, which may not fit it.
        when.exact_time = None
        when.earliest_time = when.latest_time = None
        when.time_of_day = "any"
    if new.exact_time or new.earliest_time or new.latest_time or new.time_of_day != "any":
        when.exact_time = new.exact_time
        when.earliest_time, when.latest_time = new.earliest_time, new.latest_time
        when.time_of_day = new.time_of_day
    if new.earliest:
        when.earliest = True
    task.slots.pop("offered", None)
    task.slots.pop("chosen", None)
    task.slots.pop("relaxed", None)


def take_when_and_provider(dialogue: Dialogue, task: Task, text: str) -> bool:
    """Read a time preference and a provider from ``text``; False if neither is there."""
    found = False
    new = when_in(text, today=dialogue.today)
    if new is not None:
        merge_when(task, new)
        task.slots["asked_when"] = True
        found = True
    provider = provider_in(text, dialogue.facts)
    if provider is not None:
        task.slots["provider"] = provider
        task.slots.pop("provider_defaulted", None)
        task.slots.pop("offered", None)
        task.slots.pop("chosen", None)
        found = True
    return found


def search(dialogue: Dialogue, task: Task, code: str) -> None:
    """Request ``find_open_slots`` for the task's visit type, provider and preferences."""
    when = preference(task)
    provider = task.slots.get("provider")
    arguments: dict[str, Any] = {
        "appointment_type": code,
        "provider": provider.display_name if isinstance(provider, ProviderFacts) else None,
        "date_from": when.date_from.isoformat() if when.date_from else None,
        "date_to": when.date_to.isoformat() if when.date_to else None,
        "time_of_day": when.time_of_day,
        "limit": SEARCH_LIMIT,
    }
    if when.exact_time is not None:
        # Search from the hour before, so the exact time or the nearest ones come back.
        start = datetime.combine(dialogue.today, when.exact_time) - timedelta(hours=1)
        arguments["earliest_time"] = start.strftime("%H:%M")
    if when.earliest_time is not None:
        arguments["earliest_time"] = when.earliest_time.strftime("%H:%M")
    if when.latest_time is not None:
        arguments["latest_time"] = when.latest_time.strftime("%H:%M")
    task.slots["searches"] = int(task.slots.get("searches", 0)) + 1
    task.slots["search_type"] = code
    dialogue.call(FIND_TOOL, arguments)


def relax(task: Task) -> bool:
    """Widen the caller's preference one step after a search found nothing.

    First the time of day goes ("this afternoon" becomes "from noon on", anything else
    "any time that day"), then the end of the date range ("on Thursday" becomes "from
    Thursday on"), then a provider the caller did not choose. Returns False when nothing is
    left to widen.
    """
    when = preference(task)
    steps: set[str] = task.slots.setdefault("relaxed", set())
    if "time" not in steps and (
        when.exact_time or when.earliest_time or when.latest_time or when.time_of_day != "any"
    ):
        steps.add("time")
        afternoon = when.time_of_day == "afternoon"
        when.exact_time = when.latest_time = None
        when.earliest_time = time(12, 0) if afternoon else None
        when.time_of_day = "any"
        return True
    if "days" not in steps and when.date_to is not None:
        steps.add("days")
        when.date_to = None
        return True
    if "provider" not in steps and task.slots.get("provider_defaulted"):
        steps.add("provider")
        task.slots["provider"] = ANY_PROVIDER
        return True
    return False


def pick_offers(slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Choose up to two slots to say: the earliest, and one on another day or time of day."""
    if not slots:
        return []
    first = slots[0]
    first_start = datetime.fromisoformat(str(first["start"]))
    for slot in slots[1:]:
        start = datetime.fromisoformat(str(slot["start"]))
        if start.date() != first_start.date() or abs(start - first_start) >= timedelta(hours=2):
            return [first, slot]
    return [first, slots[1]] if len(slots) > 1 else [first]


def exact_match(task: Task, slots: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Return the slot at exactly the time the caller asked for, if there is one."""
    when = preference(task)
    if when.exact_time is None:
        return None
    wanted = when.exact_time.strftime("%H:%M")
    for slot in slots:
        same_day = when.date_from is None or str(slot["date"]) == when.date_from.isoformat()
        if slot["time"] == wanted and same_day:
            return slot
    return None


def offer(dialogue: Dialogue, task: Task, exchange: ToolExchange) -> None:
    """Say the slots a search found, or that there are none, and ask the caller."""
    slots: list[dict[str, Any]] = list(exchange.result.data.get("slots") or [])
    if not slots and relax(task):
        search(dialogue, task, str(task.slots["search_type"]))
        return
    if not slots:
        task.slots.pop("relaxed", None)
        task.slots["when"] = WhenPreference()
        task.slots["asked_when"] = True
        if dialogue.language == "es":
            message = dialogue.text("booking.none_found")
        else:
            message = exchange.result.message + " " + dialogue.text("booking.other_day")
        dialogue.ask("when", message)
        return
    match = exact_match(task, slots)
    if match is not None:
        task.slots.pop("relaxed", None)
        task.slots["chosen"] = match
        return
    offers = pick_offers(slots)
    task.slots["offered"] = offers
    if task.slots.pop("relaxed", None):
        dialogue.say(dialogue.text("booking.closest"))
    phrases = [slot_phrase(dialogue, slot) for slot in offers]
    if len(phrases) == 1:
        dialogue.ask("slot_choice", dialogue.text("booking.offer_one", slot=phrases[0]))
    else:
        text = dialogue.text("booking.offer_two", first=phrases[0], second=phrases[1])
        dialogue.ask("slot_choice", text)


_FIRST = re.compile(r"\b(first|former|earlier|earliest|primer[oa]?|la primera)\b")
_SECOND = re.compile(r"\b(second|latter|later|last|other|segund[oa]|la otra|ultim[oa])\b")


def choose(dialogue: Dialogue, options: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    """Return the option the caller picked by position, day, time or provider, or None."""
    if not options:
        return None
    folded = fold(text)
    ordinal = ordinal_in(text)
    if ordinal == -1:
        return options[-1]
    if ordinal is not None and 1 <= ordinal <= len(options) and not re.search(r"\d", folded):
        return options[ordinal - 1]
    if _FIRST.search(folded) and not _SECOND.search(folded):
        return options[0]
    if _SECOND.search(folded) and len(options) > 1:
        return options[1]
    english = english_dates(text)
    remaining = list(options)
    day = resolve_date(english, today=dialogue.today)
    if day is not None:
        remaining = [o for o in remaining if day.start <= _start(o).date() <= day.end]
    clock = resolve_time(english)
    if clock is not None:
        remaining = [o for o in remaining if _near(_start(o), clock.start, clock.end)]
    provider = provider_in(text, dialogue.facts)
    if isinstance(provider, ProviderFacts):
        remaining = [o for o in remaining if o.get("provider_id") == provider.id]
    narrowed = day is not None or clock is not None or isinstance(provider, ProviderFacts)
    if narrowed and len(remaining) == 1:
        return remaining[0]
    return None


def _start(option: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(option["start"]))


def _near(start: datetime, low: time, high: time) -> bool:
    clock = start.time()
    if low == high:
        # "the 9:15" or "the nine o'clock": the same minute, or the same hour for "nine".
        return clock == low or (low.minute == 0 and clock.hour == low.hour)
    return low <= clock <= high


def provider_label(task: Task) -> str | None:
    """Return the provider the caller asked for, as a display name, if any."""
    provider = task.slots.get("provider")
    if isinstance(provider, ProviderFacts):
        return provider.display_name
    return None


def wants_anyone(task: Task) -> bool:
    """Return whether the caller said any provider will do."""
    return task.slots.get("provider") == ANY_PROVIDER


def pick_slot(dialogue: Dialogue, task: Task, text: str, answer: Answer) -> bool:
    """Read which offered slot the caller wants, or a new preference; False if neither."""
    offered = list(task.slots.get("offered") or [])
    chosen = choose(dialogue, offered, text)
    if chosen is not None:
        task.slots["chosen"] = chosen
        return True
    if answer.kind is AnswerKind.AFFIRM and len(offered) == 1:
        task.slots["chosen"] = offered[0]
        return True
    if take_when_and_provider(dialogue, task, answer.remainder or text):
        return True
    if answer.kind is AnswerKind.DENY:
        task.slots.pop("offered", None)
        task.slots["when"] = WhenPreference()
        dialogue.ask("when", dialogue.text("booking.other_day"))
        return True
    if answer.kind is AnswerKind.AFFIRM:
        dialogue.ask("slot_choice", dialogue.text("booking.ask_choice"))
        return True
    return False
