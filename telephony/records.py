"""Telephony's part of the call record: stream SID, latency, recording path, Twilio status.

The agent session writes the transcript and the outcome (see :mod:`clinic.calls`); these
writes complete the record with facts only the phone side has. A failed write is logged and
the call goes on: the caller must never notice the database.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from clinic import calls
from clinic.models import TranscriptTurn

logger = logging.getLogger(__name__)


class CallRecords(Protocol):
    """Telephony's writes to the call record."""

    async def stream_started(self, call_id: int, stream_sid: str) -> None: ...

    async def turn_measured(self, call_id: int, latency: dict[str, Any]) -> None: ...

    async def recording_saved(self, call_id: int, path: str) -> None: ...

    async def phone_line(self, call_id: int, text: str) -> None: ...

    async def status_changed(self, call_sid: str, status: str) -> bool: ...


class DatabaseCallRecords:
    """Call record writes through :mod:`clinic.calls`, each in a worker thread."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    async def stream_started(self, call_id: int, stream_sid: str) -> None:
        """Store the Twilio StreamSid."""
        await self._write(
            "stream SID",
            calls.set_stream_sid,
            self._factory,
            call_id=call_id,
            stream_sid=stream_sid,
        )

    async def turn_measured(self, call_id: int, latency: dict[str, Any]) -> None:
        """Merge a caller turn's timings into its transcript line (the latest caller line)."""
        await self._write("turn latency", self._update_latest_caller_turn, call_id, latency)

    async def recording_saved(self, call_id: int, path: str) -> None:
        """Store where the recording was written."""
        await self._write(
            "recording path", calls.set_recording_path, self._factory, call_id=call_id, path=path
        )

    async def phone_line(self, call_id: int, text: str) -> None:
        """Add a line the phone layer spoke itself (silence check-in) to the transcript."""
        await self._write(
            "phone line",
            calls.add_turn,
            self._factory,
            call_id=call_id,
            speaker="agent",
            text=text,
            at=datetime.now(UTC),
        )

    async def status_changed(self, call_sid: str, status: str) -> bool:
        """Store Twilio's CallStatus; return False when the call is not on record."""
        try:
            await asyncio.to_thread(
                calls.set_twilio_status, self._factory, call_sid=call_sid, status=status
            )
        except calls.CallNotFound:
            return False
        return True

    def _update_latest_caller_turn(self, call_id: int, latency: dict[str, Any]) -> None:
        with self._factory() as session:
            turn_id = session.scalar(
                select(TranscriptTurn.id)
                .where(TranscriptTurn.call_id == call_id, TranscriptTurn.speaker == "caller")
                .order_by(TranscriptTurn.seq.desc())
                .limit(1)
            )
        if turn_id is not None:
            calls.update_turn_latency(self._factory, turn_id=turn_id, latency=latency)

    async def _write(self, what: str, function: Any, *args: Any, **kwargs: Any) -> None:
        try:
            await asyncio.to_thread(function, *args, **kwargs)
        except (calls.CallRecordError, SQLAlchemyError):
            logger.exception("Could not write the %s to the call record", what)


class NoCallRecords:
    """Discards telephony's writes; for calls whose agent keeps no call row."""

    async def stream_started(self, call_id: int, stream_sid: str) -> None:
        return None

    async def turn_measured(self, call_id: int, latency: dict[str, Any]) -> None:
        return None

    async def recording_saved(self, call_id: int, path: str) -> None:
        return None

    async def phone_line(self, call_id: int, text: str) -> None:
        return None

    async def status_changed(self, call_sid: str, status: str) -> bool:
        return False
