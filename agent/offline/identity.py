"""Identity verification before anything patient-specific: name, then date of birth.

The caller may give both at once ("Margaret Chen, April 12th 1958"), in words or digits.
After a failed match the tool asks for the spelled last name and the date of birth again;
after the second failure it asks for a hand-over, and nothing about any chart is said.
"""

from __future__ import annotations

import re

from agent.brain import ToolExchange
from agent.offline.dialogue import Dialogue
from agent.parsing import parse_date_of_birth, parse_full_name, parse_phone_number
from agent.parsing.names import PersonName, parse_spelled_name
from agent.parsing.spanish import SPANISH_DATE_START, fold_spanish

VERIFY_TOOL = "verify_patient"
AWAITS = frozenset({"name", "dob", "name_dob", "phone"})


def need_identity(dialogue: Dialogue) -> bool:
    """Ask for the next identity detail or call ``verify_patient``; False once verified."""
    if dialogue.verified:
        return False
    memory = dialogue.memory
    # A caller asking for a relative is asked for the patient's details, not their own.
    key_prefix = "verify.patient_" if memory.for_someone_else else "verify."
    if memory.name is None:
        intro = "" if memory.awaiting in AWAITS else dialogue.text(f"{key_prefix}intro_for_task")
        dialogue.say(intro)
        dialogue.ask("name", dialogue.text(f"{key_prefix}ask_name"))
        return True
    if memory.date_of_birth is None:
        dialogue.ask("dob", dialogue.text(f"{key_prefix}ask_dob"))
        return True
    dialogue.call(
        VERIFY_TOOL,
        {
            "first_name": memory.name.given,
            "last_name": memory.name.family,
            "date_of_birth": memory.date_of_birth.isoformat(),
            "phone": memory.phone,
        },
    )
    return True


def take_identity_details(dialogue: Dialogue, text: str) -> bool:
    """Read a name, a date of birth or a phone number from ``text``; False if none."""
    memory = dialogue.memory
    found = False
    name = parse_full_name(text) or parse_full_name(_before_details(text))
    spelled = parse_spelled_name(text)
    if name is not None and memory.awaiting != "dob":
        memory.name = name
        found = True
    if spelled is not None and memory.name is not None and memory.awaiting in ("name_dob", "name"):
        # A spelled name corrects the last name the transcript got wrong.
        memory.name = PersonName(memory.name.given, spelled, memory.name.middle)
        found = True
    born = parse_date_of_birth(text, today=dialogue.today)
    if born is not None:
        memory.date_of_birth = born
        found = True
    if memory.awaiting == "phone":
        phone = parse_phone_number(text)
        if phone is not None:
            memory.phone = phone
            found = True
    return found


_DETAILS_START = re.compile(
    r"\d|\b(born|date of birth|dob|birthday|birth date|nacimiento|naci|january|february|"
    r"march|april|may|june|july|august|september|october|november|december|enero|febrero|"
    r"marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|one|two|"
    r"three|four|five|six|seven|eight|nine|ten|eleven|twelve|nineteen|twenty|thirty)\b",
    re.IGNORECASE,
)


def _before_details(text: str) -> str:
    """Return the words before the date of birth, where a name said with it stands."""
    starts = [match.start() for match in (_DETAILS_START.search(text),) if match]
    # A Spanish date said in words ("veintidós de septiembre") starts the date of birth
    # too. Folding keeps the length of most text, so positions carry over to ``text``.
    folded = fold_spanish(text)
    spanish = SPANISH_DATE_START.search(folded) if len(folded) == len(text) else None
    if spanish is not None:
        starts.append(spanish.start())
    head = text[: min(starts)] if starts else text
    return head.strip(" ,.;:-").removesuffix(" and").removesuffix(",")


def on_identity_answer(dialogue: Dialogue, text: str) -> bool:
    """Handle the reply to an identity question; False when nothing in it could be used."""
    return take_identity_details(dialogue, text)


def on_verify_result(dialogue: Dialogue, exchange: ToolExchange) -> None:
    """Act on a ``verify_patient`` result: go on, ask again, or hand the call over."""
    result = exchange.result
    memory = dialogue.memory
    spanish = dialogue.language == "es"
    if result.ok:
        first_name = str(result.data.get("first_name", ""))
        dialogue.say(dialogue.text("verify.verified", first_name=first_name)
                     if spanish else result.message)  # fmt: skip
        return
    if result.escalate:
        dialogue.say(dialogue.text("verify.failed") if spanish else result.message)
        dialogue.hand_over("identity_not_verified", phrase_key=None)
        return
    if result.error == "ambiguous":
        dialogue.ask("phone", dialogue.text("verify.ask_phone") if spanish else result.message)
        return
    memory.date_of_birth = None
    dialogue.ask("name_dob", dialogue.text("verify.retry") if spanish else result.message)
