"""Build the :class:`agent.session.AgentSession` for a new call.

Telephony, the text chat and evals all start a call here. It creates the ``call`` row, reads
the clinic's facts and chooses the brain: the LLM brain when an endpoint is configured,
otherwise the offline brain, which is also the LLM brain's fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from agent.brain import Brain
from agent.facts import ClinicFacts, load_clinic_facts
from agent.offline import OfflineBrain
from agent.records import CallRecorder
from agent.session import AgentSession, DataChangeGate
from clinic.calls import start_call
from clinic.models import Clinic
from frontdesk.settings import Settings
from tools.base import CallContext, utc_now

Clock = Callable[[], datetime]


def default_brain(settings: Settings) -> Brain:
    """Return the LLM brain when ``settings`` configure an endpoint, else the offline brain.

    The LLM brain keeps an HTTP client; build it once per process and pass it to
    :func:`build_session` rather than once per call.
    """
    if not settings.llm_configured:
        return OfflineBrain()
    from agent.llm_brain import LLMBrain, LLMConfig
    from prompts import render_system_prompt

    return LLMBrain(LLMConfig.from_settings(settings), system_prompt=render_system_prompt)


def default_clinic_id(session_factory: sessionmaker[Session]) -> int:
    """Return the id of the clinic this deployment answers for (the first one configured).

    Raises:
        LookupError: The database has no clinic yet.
    """
    with session_factory() as session:
        clinic_id = session.scalar(select(Clinic.id).order_by(Clinic.id).limit(1))
    if clinic_id is None:
        raise LookupError(
            "The database has no clinic; run `frontdesk db upgrade` and configure or seed one."
        )
    return clinic_id


def build_session(
    settings: Settings,
    session_factory: sessionmaker[Session],
    *,
    call_sid: str,
    caller_number: str | None,
    channel: str,
    now: Clock | datetime | None = None,
    to_number: str | None = None,
    clinic_id: int | None = None,
    brain: Brain | None = None,
    facts: ClinicFacts | None = None,
    before_data_change: DataChangeGate | None = None,
) -> AgentSession:
    """Create the call record and the agent session for one call.

    Args:
        settings: Deployment settings; they choose the brain unless ``brain`` is given.
        session_factory: Sessions on the clinic database.
        call_sid: Twilio's CallSid, or a unique id for chat and eval calls.
        caller_number: The caller ID in E.164, when known.
        channel: "phone", "chat" or "eval".
        now: The clock: a function returning the current UTC time, or a fixed instant
            (evals pin it); the system clock by default.
        to_number: The number dialled, when known.
        clinic_id: The clinic answered for; the first clinic in the database by default.
        brain: A brain shared between calls; by default :func:`default_brain`.
        facts: The clinic's facts, when the caller already loaded them.
        before_data_change: See :class:`agent.session.AgentSession`.

    Raises:
        LookupError: The clinic does not exist.
    """
    clock = _clock(now)
    clinic = clinic_id if clinic_id is not None else default_clinic_id(session_factory)
    clinic_facts = facts or load_clinic_facts(session_factory, clinic)
    chosen = brain or default_brain(settings)
    call_id = start_call(
        session_factory,
        call_sid=call_sid,
        channel=channel,
        from_number=caller_number,
        to_number=to_number,
        now=clock(),
        brain=chosen.name,
        model=chosen.model,
    )
    ctx = CallContext(
        session_factory=session_factory,
        clinic_id=clinic,
        call_id=call_id,
        now=clock,
        caller_number=caller_number,
    )
    fallback = None if chosen.name == OfflineBrain.name else OfflineBrain()
    return AgentSession(
        ctx,
        clinic_facts,
        chosen,
        fallback=fallback,
        recorder=CallRecorder(ctx, call_sid=call_sid),
        before_data_change=before_data_change,
    )


def _clock(now: Clock | datetime | None) -> Clock:
    if now is None:
        return utc_now
    if isinstance(now, datetime):
        fixed = now

        def pinned() -> datetime:
            return fixed

        return pinned
    return now
