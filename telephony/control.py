"""Call control: transferring a live call to a person and hanging up.

With Twilio credentials (``FRONTDESK_TWILIO_ACCOUNT_SID`` and ``FRONTDESK_TWILIO_AUTH_TOKEN``)
a transfer updates the live call through Twilio's REST API with TwiML that dials the clinic's
number; Twilio then ends the media stream on its own. Without credentials (local runs, the
simulated phone) nothing can be dialled: :class:`LocalCallControl` records the request and the
call ends after the agent's last words. Closing the media stream also ends a real call,
because the TwiML answered by ``/twilio/voice`` has no verb after ``<Connect>``.

Errors::

    CallControlError      Twilio rejected or did not answer a call update
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from frontdesk.settings import Settings

logger = logging.getLogger(__name__)


class CallControlError(RuntimeError):
    """Twilio rejected or did not answer a call update."""


class CallControl(Protocol):
    """Transfers and hang-ups of live calls."""

    @property
    def can_transfer(self) -> bool:
        """Whether a transfer actually connects the caller to a person."""
        ...

    async def transfer(self, call_sid: str, number: str) -> None:
        """Connect the live call to ``number``.

        Raises:
            CallControlError: When the call could not be updated.
        """
        ...

    async def hang_up(self, call_sid: str) -> None:
        """End the live call; a call that already ended is not an error.

        Raises:
            CallControlError: When the call could not be updated.
        """
        ...


def transfer_twiml(number: str) -> str:
    """Return the TwiML that connects the caller to ``number``."""
    from twilio.twiml.voice_response import VoiceResponse

    response = VoiceResponse()
    response.dial(number)
    return str(response)


class TwilioCallControl:
    """Call control through Twilio's REST API.

    Args:
        account_sid: The Twilio account SID.
        auth_token: The account's auth token.
        http_client: A ``twilio.http.HttpClient`` to send requests with; tests pass a fake
            one that answers like Twilio.
    """

    def __init__(self, account_sid: str, auth_token: str, *, http_client: Any = None) -> None:
        from twilio.rest import Client

        self._client = Client(account_sid, auth_token, http_client=http_client)

    @property
    def can_transfer(self) -> bool:
        return True

    async def transfer(self, call_sid: str, number: str) -> None:
        """Update the live call with ``<Dial>`` to ``number``."""
        await self._update(call_sid, twiml=transfer_twiml(number))
        logger.info("Call transferred", extra={"call_sid": call_sid})

    async def hang_up(self, call_sid: str) -> None:
        """Set the live call's status to ``completed``."""
        await self._update(call_sid, status="completed")

    async def _update(self, call_sid: str, **fields: str) -> None:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        def update() -> None:
            self._client.calls(call_sid).update(**fields)

        try:
            await asyncio.to_thread(update)
        except TwilioRestException as error:
            if error.status == 404:
                logger.debug("Call already ended", extra={"call_sid": call_sid})
                return
            raise CallControlError(
                f"Twilio rejected the update of call {call_sid} (HTTP {error.status}, "
                f"code {error.code})."
            ) from error
        except (TwilioException, OSError) as error:
            raise CallControlError(
                f"Could not reach Twilio to update call {call_sid}: {type(error).__name__}."
            ) from error


class LocalCallControl:
    """Call control without Twilio credentials: transfers are recorded, not dialled."""

    def __init__(self) -> None:
        self.transfers: list[tuple[str, str]] = []
        self.hang_ups: list[str] = []

    @property
    def can_transfer(self) -> bool:
        return False

    async def transfer(self, call_sid: str, number: str) -> None:
        """Record the transfer; the call then ends after the agent's last words."""
        self.transfers.append((call_sid, number))
        logger.info(
            "Transfer recorded but not dialled (no Twilio credentials)",
            extra={"call_sid": call_sid},
        )

    async def hang_up(self, call_sid: str) -> None:
        """Record the hang-up; closing the media stream ends the call."""
        self.hang_ups.append(call_sid)


def call_control_from_settings(settings: Settings) -> CallControl:
    """Return Twilio call control when credentials are set, else the local stand-in."""
    if settings.twilio_account_sid and settings.twilio_auth_token is not None:
        return TwilioCallControl(
            settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value()
        )
    return LocalCallControl()
