"""The goal-driven caller: what it hears the agent ask, and what it answers."""

from __future__ import annotations

import asyncio

import pytest

from evals.callers import GoalCaller, ScriptedCaller, spoken_date
from evals.scenario import Caller
from evals.understanding import detect_topics, offered_times
from tests.evals.conftest import make_scenario


@pytest.mark.parametrize(
    ("reply", "topics"),
    [
        ("Sure. May I have your full name and date of birth?", ["name", "date_of_birth"]),
        ("Thanks. And what's your date of birth?", ["date_of_birth"]),
        ("I have Tuesday, March 10 at 9:15 AM with Dr. Patel. Shall I book it?", ["confirm"]),
        ("I have 9:15 AM or 10:40 AM on Tuesday. Which works for you?", ["slot"]),
        ("You're all set. Is there anything else I can help with?", ["anything_else"]),
        ("Sorry, could you say that again?", ["repeat"]),
        ("Which pharmacy should we send it to?", ["pharmacy"]),
        ("What day works best for you?", ["day"]),
        ("Okay.", ["other"]),
        ("¿Me puede dar su nombre completo y fecha de nacimiento?", ["name", "date_of_birth"]),
    ],
)
def test_detect_topics(reply: str, topics: list[str]) -> None:
    assert detect_topics(reply) == topics


def test_offered_times_keep_the_day() -> None:
    text = "I have Tuesday, March 10 at 9:15 AM or Wednesday at 2 PM."
    assert offered_times(text) == ["Tuesday, March 10 at 9:15 AM", "Wednesday at 2 PM"]


def caller(**changes: object) -> Caller:
    data = make_scenario().caller.model_dump()
    data.update(changes)
    return Caller.model_validate(data)


def answer(goal: GoalCaller, reply: str) -> str | None:
    line = asyncio.run(goal.next_line(reply))
    return None if line is None else line.text


def test_goal_caller_answers_identity_together() -> None:
    goal = GoalCaller(caller())
    assert answer(goal, "Can I get your name and date of birth?") == (
        "Margaret Chen, date of birth April 12, 1958."
    )


def test_goal_caller_picks_preferred_slot() -> None:
    facts = caller().facts.model_dump()
    facts["preferences"] = {"time": "2 PM"}
    goal = GoalCaller(caller(facts=facts))
    reply = "I have Tuesday at 9:15 AM or Wednesday at 2 PM. Which would you like?"
    assert answer(goal, reply) == "Wednesday at 2 PM works for me."


def test_goal_caller_overrides_run_in_order_then_repeat() -> None:
    goal = GoalCaller(caller(answers={"confirm": ["No, Thursday instead.", "Yes."]}))
    assert answer(goal, "Shall I book it?") == "No, Thursday instead."
    assert answer(goal, "Shall I book it?") == "Yes."
    assert answer(goal, "Shall I book it?") == "Yes."


def test_goal_caller_says_goodbye_and_finishes() -> None:
    goal = GoalCaller(caller())
    assert not goal.finished
    assert answer(goal, "Anything else today?") == "No, that's everything. Thank you, bye."
    assert goal.finished


def test_goal_caller_gives_up_on_unplaced_replies() -> None:
    goal = GoalCaller(caller())
    assert answer(goal, "Hmm.") == "I'd like a follow-up with Dr. Patel."
    assert answer(goal, "Right.") == "Sorry, I'm not sure what you need from me."
    assert answer(goal, "Okay.") is None


def test_scripted_caller_runs_out() -> None:
    scripted = ScriptedCaller(caller(mode="scripted", script=["One.", "Two."]))
    assert asyncio.run(scripted.next_line("anything")).text == "One."
    assert not scripted.finished
    assert asyncio.run(scripted.next_line("anything")).text == "Two."
    assert scripted.finished


def test_spoken_date_in_two_languages() -> None:
    from datetime import date

    assert spoken_date(date(1985, 9, 22), "en") == "September 22, 1985"
    assert spoken_date(date(1985, 9, 22), "es") == "22 de septiembre de 1985"


def afternoon_caller(**preferences: str) -> GoalCaller:
    facts = caller().facts.model_dump()
    facts["preferences"] = {"time": "Afternoon.", **preferences}
    return GoalCaller(caller(facts=facts))


def test_goal_caller_picks_slot_in_its_part_of_day() -> None:
    goal = afternoon_caller()
    reply = "I have Tuesday at 9:15 AM or Tuesday at 1:40 PM. Which would you like?"
    assert answer(goal, reply) == "Tuesday at 1:40 PM works for me."


def test_goal_caller_declines_slots_outside_its_part_of_day() -> None:
    goal = afternoon_caller()
    reply = "I have Tuesday at 9:15 AM or Tuesday at 10 AM. Which would you like?"
    assert answer(goal, reply) == (
        "Sorry, that doesn't work for me. I can only come in the afternoon. "
        "Do you have anything in the afternoon?"
    )
    assert not goal.finished


def test_goal_caller_gives_up_after_two_declines() -> None:
    goal = afternoon_caller()
    reply = "The first opening I have is Tuesday at 9:15 AM. Would that work?"
    assert answer(goal, reply).startswith("Sorry, that doesn't work")
    assert answer(goal, reply).startswith("Sorry, that doesn't work")
    assert answer(goal, reply) == "Then I'll call back another time. Thank you, bye."
    assert goal.finished


def test_goal_caller_declines_read_back_outside_its_part_of_day() -> None:
    goal = afternoon_caller()
    reply = "I'll move your visit from Tuesday at 2 PM to Wednesday at 9 AM. Shall I?"
    assert answer(goal, reply).startswith("Sorry, that doesn't work")


def test_goal_caller_confirms_read_back_in_its_part_of_day() -> None:
    goal = afternoon_caller()
    reply = "I'll move your visit from Tuesday at 9 AM to Wednesday at 2 PM. Shall I?"
    assert answer(goal, reply) == "Yes, please."


def test_goal_caller_confirms_cancel_whatever_the_time() -> None:
    goal = afternoon_caller()
    reply = "I'll cancel your follow-up on Tuesday at 9 AM. Shall I?"
    assert answer(goal, reply) == "Yes, please."


def test_goal_caller_declines_in_spanish() -> None:
    facts = caller().facts.model_dump()
    facts["language"] = "es"
    facts["preferences"] = {"time": "Por la mañana."}
    goal = GoalCaller(caller(facts=facts))
    reply = "Tengo el lunes 2 de marzo a las 2:35 de la tarde con doctor Patel. ¿Le sirve?"
    assert answer(goal, reply) == (
        "Perdone, eso no me sirve. Solo puedo ir por la mañana. ¿Tiene algo por la mañana?"
    )


def test_goal_caller_picks_spanish_slot() -> None:
    facts = caller().facts.model_dump()
    facts["language"] = "es"
    goal = GoalCaller(caller(facts=facts))
    reply = (
        "Tengo el lunes 2 de marzo a las 2:35 de la tarde, o el martes 3 de marzo a la 1 de la "
        "tarde. ¿Cuál prefiere?"
    )
    assert answer(goal, reply) == "El lunes 2 de marzo a las 2:35 de la tarde me queda bien."
