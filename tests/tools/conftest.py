"""Fixtures for tool tests: the demo clinic's call context with a call row to record on."""

from __future__ import annotations

import itertools

import pytest

from clinic.calls import start_call
from clinic.demo import DemoFacts
from tools.base import CallContext

_call_numbers = itertools.count(1)


@pytest.fixture
def ctx(call_context: CallContext, demo: DemoFacts) -> CallContext:
    """The demo clinic's call context with a ``call`` row, so tool calls are recorded."""
    call_context.call_id = start_call(
        call_context.session_factory,
        call_sid=f"CA-tools-{next(_call_numbers)}",
        channel="eval",
        from_number=None,
        to_number=None,
        now=demo.now,
    )
    return call_context
