"""Words Whisper should expect on this clinic's calls: its name, providers and plans.

Whisper continues the text it is prompted with, so a prompt naming the clinic's providers
("Dr. Okafor") and accepted plans makes it spell them as the agent's tools expect. It is built
once at startup from the clinic's configuration; the adapter adds the agent's last words for
each caller turn (see :meth:`telephony.adapter.AgentAdapter.stt_prompt`).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from clinic.models import AppointmentType, Clinic, Payer, Provider

logger = logging.getLogger(__name__)


def clinic_vocabulary(session_factory: sessionmaker[Session]) -> str:
    """Return the clinic's name, providers, visit types and payers as a short text.

    An empty database (no clinic configured yet) gives an empty text.
    """
    try:
        with session_factory() as session:
            clinic = session.scalars(select(Clinic).order_by(Clinic.id).limit(1)).first()
            if clinic is None:
                return ""
            providers = session.scalars(
                select(Provider).where(Provider.clinic_id == clinic.id, Provider.active)
            ).all()
            visit_types = session.scalars(select(AppointmentType.name)).all()
            payers = session.scalars(select(Payer.name)).all()
            people = [provider.display_name for provider in providers]
            parts = [clinic.name, ", ".join(people), ", ".join(visit_types), ", ".join(payers)]
    except SQLAlchemyError:
        logger.warning("Could not read the clinic's vocabulary for speech-to-text")
        return ""
    return ". ".join(part for part in parts if part) + "."
