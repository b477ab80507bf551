"""Per-call tokens that admit a Twilio media stream to the websocket.

``/twilio/voice`` answers Twilio (after checking its signature) with TwiML that opens the
media stream and passes a token as a stream ``<Parameter>``. Twilio returns it in the
``start`` event's ``customParameters``. The token is signed with ``FRONTDESK_SECRET_KEY``,
names the CallSid it was issued for and expires after :data:`TOKEN_MAX_AGE_SECONDS`, so a
websocket client that did not come through a signed webhook cannot start a call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

TOKEN_MAX_AGE_SECONDS = 60
"""Twilio opens the stream within a second or two of receiving the TwiML."""

_SALT = "frontdesk.twilio-media-stream"


class StreamTokenError(ValueError):
    """A media stream token is missing, forged, expired or issued for another call."""


@dataclass(frozen=True)
class StreamGrant:
    """The call details that a valid token vouches for.

    Attributes:
        call_sid: The call the token was issued for.
        from_number: The caller ID from the signed webhook, if any.
        to_number: The number dialled, if any.
    """

    call_sid: str
    from_number: str | None
    to_number: str | None


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=_SALT)


def issue_stream_token(
    secret_key: str,
    *,
    call_sid: str,
    from_number: str | None,
    to_number: str | None,
    now: float | None = None,
) -> str:
    """Return a token for the media stream of ``call_sid``, valid for a minute from ``now``.

    Args:
        secret_key: ``FRONTDESK_SECRET_KEY``.
        call_sid: The call the stream belongs to.
        from_number: The caller ID from the signed webhook.
        to_number: The number dialled.
        now: The issue time as a Unix timestamp; the current time when None.
    """
    issued = time.time() if now is None else now
    payload = {
        "call_sid": call_sid,
        "from": from_number,
        "to": to_number,
        "expires": issued + TOKEN_MAX_AGE_SECONDS,
    }
    token: str = _serializer(secret_key).dumps(payload)
    return token


def verify_stream_token(
    secret_key: str, token: str | None, *, call_sid: str, now: float | None = None
) -> StreamGrant:
    """Check a token from a ``start`` event and return what it grants.

    Raises:
        StreamTokenError: When the token is missing, invalid, expired or not for ``call_sid``.
    """
    if not token:
        raise StreamTokenError("The start event carries no stream token.")
    try:
        payload = _serializer(secret_key).loads(token)
    except BadSignature as error:
        raise StreamTokenError("The stream token has an invalid signature.") from error
    if not isinstance(payload, dict):
        raise StreamTokenError("The stream token has an invalid payload.")
    expires = payload.get("expires")
    current = time.time() if now is None else now
    if not isinstance(expires, int | float) or current > expires:
        raise StreamTokenError("The stream token has expired.")
    if payload.get("call_sid") != call_sid:
        raise StreamTokenError("The stream token was issued for another call.")
    from_number = payload.get("from")
    to_number = payload.get("to")
    return StreamGrant(
        call_sid=call_sid,
        from_number=from_number if isinstance(from_number, str) else None,
        to_number=to_number if isinstance(to_number, str) else None,
    )
