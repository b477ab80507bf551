"""A Frontdesk server on 127.0.0.1 with fake speech models, and a simulated phone to call it."""

from __future__ import annotations

import asyncio
import audioop
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from frontdesk.app import create_app
from frontdesk.settings import Settings
from telephony.control import CallControl, LocalCallControl
from telephony.local_server import bind_local_socket, running_server, socket_url
from telephony.phone import SimulatedPhone
from telephony.runtime import AgentFactory, Telephony
from tests.telephony.fakes import FakeSpeechModels, ScriptedAgent, agent_factory

AUTH_TOKEN = "test-auth-token-0123456789"
SECRET_KEY = "telephony-test-secret-key-0123456789"


def caller_tone(seconds: float = 0.6) -> bytes:
    """Return loud 8 kHz mu-law audio that the fake VAD calls speech."""
    t = np.arange(int(8000 * seconds)) / 8000
    samples = (9000 * np.sin(2 * math.pi * 200 * t)).astype(np.int16)
    return audioop.lin2ulaw(samples.tobytes(), 2)


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a test server: its own SQLite file, a known auth token and secret."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": f"sqlite:///{tmp_path / 'telephony.sqlite3'}",
        "secret_key": SecretStr(SECRET_KEY),
        "twilio_auth_token": SecretStr(AUTH_TOKEN),
        "recordings_dir": tmp_path / "recordings",
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class PhoneLine:
    """A running test server and what a test needs to call it and look inside."""

    app: FastAPI
    url: str
    settings: Settings
    models: FakeSpeechModels
    call_control: CallControl

    @property
    def telephony(self) -> Telephony:
        telephony: Telephony = self.app.state.telephony
        return telephony

    async def dial(self, **options: Any) -> SimulatedPhone:
        """Place a call from a new simulated phone; ``options`` go to its ``dial``."""
        phone = SimulatedPhone(self.url, auth_token=AUTH_TOKEN)
        await phone.dial(**options)
        return phone

    async def wait_for_calls_to_end(self, max_wait: float = 10.0) -> None:
        """Wait until the server has no call in progress."""
        for _ in range(int(max_wait / 0.05)):
            if not self.telephony.calls:
                return
            await asyncio.sleep(0.05)
        assert not self.telephony.calls, "a call is still in progress"


ServerFactory = Callable[..., Awaitable[PhoneLine]]


@asynccontextmanager
async def serve_phone_line(
    settings: Settings,
    *,
    factory: AgentFactory,
    models: FakeSpeechModels | None = None,
    call_control: CallControl | None = None,
) -> AsyncIterator[PhoneLine]:
    """Run the app with fake speech models on a free port of 127.0.0.1."""
    models = models or FakeSpeechModels()
    control = call_control or LocalCallControl()
    sock = bind_local_socket()
    settings = settings.model_copy(update={"public_url": socket_url(sock)})
    app = create_app(settings, speech_models=models, agent_factory=factory, call_control=control)
    async with running_server(app, sock) as url:
        yield PhoneLine(app=app, url=url, settings=settings, models=models, call_control=control)


@pytest.fixture
def agent() -> ScriptedAgent:
    """The scripted agent the test server hands to every call."""
    return ScriptedAgent()


@pytest.fixture
async def line(tmp_path: Path, agent: ScriptedAgent) -> AsyncIterator[PhoneLine]:
    """A test server whose calls are answered by the ``agent`` fixture."""
    async with serve_phone_line(make_settings(tmp_path), factory=agent_factory(agent)) as running:
        yield running
