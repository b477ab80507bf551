"""Helpers for the eval harness tests: scenarios built in code and fake conversations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evals.conversation import AgentReply, PinnedClock
from evals.fixtures import ClinicDatabase
from evals.runner import EvalOptions
from evals.scenario import CallerLine, Scenario, parse_scenario
from frontdesk.settings import Settings


def make_scenario(**overrides: Any) -> Scenario:
    """Return a valid booking scenario, with top-level keys replaced by ``overrides``."""
    data: dict[str, Any] = {
        "id": "booking-test",
        "category": "booking",
        "caller": {
            "persona": "Test caller.",
            "facts": {"name": "Margaret Chen", "date_of_birth": "1958-04-12"},
            "goal": "Book a follow-up.",
            "opening": "I'd like a follow-up with Dr. Patel.",
        },
        "expect": {
            "database": {
                "rows": [
                    {
                        "table": "appointment",
                        "fields": {
                            "patient": "Margaret Chen",
                            "provider": "Patel",
                            "appointment_type": "follow_up",
                            "status": "booked",
                        },
                    }
                ]
            },
            "tools": {"required": [{"name": "book_appointment", "ok": True}]},
            "say": {"must": ["booked"]},
            "max_turns": 4,
        },
    }
    data.update(overrides)
    return parse_scenario(data, source="test")


Script = Callable[[ClinicDatabase, int, CallerLine], AgentReply]


class FakeConversation:
    """An agent stand-in: ``script`` produces each reply and may write to the database."""

    def __init__(self, database: ClinicDatabase, call_sid: str, script: Script) -> None:
        self._database = database
        self._script = script
        self._turn = 0
        self.call_sid = call_sid

    async def greet(self) -> AgentReply:
        return AgentReply(text="Thanks for calling Maple Grove Family Medicine.")

    async def respond(self, line: CallerLine) -> AgentReply:
        self._turn += 1
        return self._script(self._database, self._turn, line)

    async def finish(self) -> None:
        return None


@pytest.fixture
def fake_options(tmp_path: Path) -> Callable[[Script], EvalOptions]:
    """Build eval options whose conversations are :class:`FakeConversation` with a script."""

    def build(script: Script) -> EvalOptions:
        async def factory(
            scenario: Scenario, database: ClinicDatabase, call_sid: str, clock: PinnedClock
        ) -> FakeConversation:
            return FakeConversation(database, call_sid, script)

        return EvalOptions(
            settings=Settings(llm_base_url=None, llm_api_key=None),
            work_dir=tmp_path,
            conversation_factory=factory,
            prompts_hash="test",
        )

    return build
