"""The FastAPI application: Twilio webhooks, the media stream and the staff console.

:func:`create_app` builds the app from :class:`frontdesk.settings.Settings`. The speech models
load once per process, in the lifespan, and every call shares them; nothing happens at import
time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from clinic.db import make_engine, make_session_factory
from frontdesk.settings import Settings
from telephony.control import CallControl, call_control_from_settings
from telephony.pipecat_logs import configure_pipecat_logging
from telephony.records import DatabaseCallRecords
from telephony.routes import router as telephony_router
from telephony.runtime import AgentFactory, Telephony, database_agent_factory
from telephony.speech import SpeechModels, load_speech_models
from telephony.turns import TurnTiming
from telephony.vocabulary import clinic_vocabulary

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    speech_models: SpeechModels | None = None,
    agent_factory: AgentFactory | None = None,
    call_control: CallControl | None = None,
) -> FastAPI:
    """Build the Frontdesk app.

    Args:
        settings: The deployment's settings; read from the environment when None.
        speech_models: Already loaded speech models (tests and benchmarks share one set
            between apps); loaded in the lifespan when None.
        agent_factory: Starts the agent of each call; by default the agent session of
            :mod:`agent.factory` on the clinic database.
        call_control: Transfers and hang-ups; by default Twilio's REST API when credentials
            are set, else a local stand-in that records them.
    """
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_pipecat_logging()
        if not settings.verify_twilio_signature:
            logger.warning(
                "Twilio signature verification is off (FRONTDESK_VERIFY_TWILIO_SIGNATURE="
                "false); anyone who can reach this server can post webhooks. Use it only "
                "for local testing."
            )
        models: SpeechModels
        if speech_models is not None:
            models = speech_models
        else:
            models = await asyncio.to_thread(load_speech_models, settings)
        app.state.telephony = Telephony(
            settings=settings,
            models=models,
            call_control=call_control or call_control_from_settings(settings),
            agent_factory=agent_factory or database_agent_factory(settings, session_factory),
            records=DatabaseCallRecords(session_factory),
            timing=TurnTiming(silence_timeout_secs=settings.silence_timeout_seconds),
            vocabulary=await asyncio.to_thread(clinic_vocabulary, session_factory),
        )
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(title="Frontdesk", lifespan=lifespan)
    app.state.settings = settings
    app.state.session_factory = session_factory
    app.include_router(telephony_router)
    _include_console(app)
    return app


def _include_console(app: FastAPI) -> None:
    """Serve the staff console (``console.routes``) when that package is present."""
    try:
        from console import routes as console_routes
    except ModuleNotFoundError as error:
        if error.name not in ("console", "console.routes"):
            raise
        return
    app.include_router(console_routes.router)
    app.include_router(console_routes.root)
