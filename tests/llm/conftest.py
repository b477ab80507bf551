"""Fixtures for the LLM brain tests: the fake OpenAI server, a clinic's facts, a brain."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, Field

from agent.brain import BrainMetrics, BrainStep, ConversationState, TextDelta, ToolCallRequest
from agent.facts import AppointmentTypeFacts, ClinicFacts, ProviderFacts
from agent.llm import LLMBrain, LLMConfig
from tests.fakes.openai_server import FakeOpenAIServer, fake_openai
from tools.base import CallContext, Tool, ToolResult

__all__ = ["fake_openai"]

NOW = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)


class SlotSearch(BaseModel):
    """Arguments of the stand-in slot search."""

    appointment_type: str = Field(description="Appointment type code.")
    date_from: str = Field(description="First day, YYYY-MM-DD.")
    provider_id: int | None = None


class Booking(BaseModel):
    """Arguments of the stand-in booking tool."""

    start: str
    provider_id: int
    appointment_type: str
    confirmed: bool = False


async def _unused(ctx: CallContext, args: Any) -> ToolResult:
    raise AssertionError("The brain never runs tools; the agent loop does.")


TEST_TOOLS = {
    "find_open_slots": Tool(
        name="find_open_slots",
        description="Find open appointment slots.",
        arguments=SlotSearch,
        function=_unused,
    ),
    "book_appointment": Tool(
        name="book_appointment",
        description="Book an appointment after a read-back and the caller's yes.",
        arguments=Booking,
        function=_unused,
        requires_verified_patient=True,
        changes_data=True,
    ),
}


def make_facts() -> ClinicFacts:
    """Return the public facts of a small clinic, without a database."""
    weekday = ("08:00", "17:00")
    return ClinicFacts(
        clinic_id=1,
        name="Maple Street Family Medicine",
        timezone="America/New_York",
        address="12 Maple Street",
        phone="+15555550100",
        fax=None,
        portal_url=None,
        parking=None,
        hours={"mon": weekday, "tue": weekday, "wed": weekday, "thu": weekday,
               "fri": weekday, "sat": None, "sun": None},
        transfer_number="+15555550101",
        nurse_line=None,
        after_hours_policy="message",
        late_cancel_hours=24,
        late_cancel_fee_cents=0,
        providers=(
            ProviderFacts(
                id=1,
                display_name="Dr. Priya Patel",
                first_name="Priya",
                last_name="Patel",
                title="MD",
                specialty="Family medicine",
                appointment_type_codes=("follow_up",),
            ),
        ),
        appointment_types=(
            AppointmentTypeFacts(
                code="follow_up",
                name="Follow-up visit",
                duration_minutes=20,
                for_new_patients=False,
                for_established_patients=True,
            ),
        ),
        accepted_plans=("Aetna PPO",),
    )  # fmt: skip


@pytest.fixture
def state() -> ConversationState:
    """A conversation whose first caller turn asks for an appointment."""
    conversation = ConversationState(facts=make_facts(), now=lambda: NOW)
    conversation.turn = 1
    conversation.messages.append({"role": "user", "content": "I need a follow-up visit."})
    return conversation


BrainFactory = Callable[..., LLMBrain]


@pytest.fixture
async def make_brain(fake_openai: FakeOpenAIServer) -> AsyncIterator[BrainFactory]:
    """Build LLM brains pointed at the fake server; options override :class:`LLMConfig`."""
    brains: list[LLMBrain] = []

    def build(**options: Any) -> LLMBrain:
        settings: dict[str, Any] = {
            "model": "fake-model",
            "base_url": fake_openai.base_url,
            "api_key": "test-key",
            "first_token_timeout": 2.0,
            "reply_timeout": 5.0,
            "max_retries": 1,
        }
        settings.update(options)
        brain = LLMBrain(LLMConfig(**settings), tools=TEST_TOOLS)
        brains.append(brain)
        return brain

    yield build
    for brain in brains:
        await brain.aclose()


async def collect(brain: LLMBrain, state: ConversationState) -> list[BrainStep]:
    """Run one ``reply`` to the end and return its steps."""
    return [step async for step in brain.reply(state, "I need a follow-up visit.")]


def texts(steps: list[BrainStep]) -> list[str]:
    return [step.text for step in steps if isinstance(step, TextDelta)]


def tool_calls(steps: list[BrainStep]) -> list[ToolCallRequest]:
    return [step for step in steps if isinstance(step, ToolCallRequest)]


def metrics(steps: list[BrainStep]) -> dict[str, Any]:
    found = [step for step in steps if isinstance(step, BrainMetrics)]
    assert len(found) == 1, f"expected one BrainMetrics step, got {len(found)}"
    return dict(found[0].values)
