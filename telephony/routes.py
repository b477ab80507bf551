"""Twilio webhooks and the media stream websocket.

* ``POST /twilio/voice``: Twilio asks what to do with an incoming call; the answer is TwiML
  that connects the call to ``/twilio/media`` with a per-call stream token.
* ``POST /twilio/status``: Twilio reports a call's status; it is stored on the call record.
* ``WS /twilio/media``: the call's audio. The stream is admitted only with a valid token in
  the ``start`` event (see :mod:`telephony.tokens`).

Both webhooks verify ``X-Twilio-Signature`` with the account's auth token and answer 403 to a
request that fails. ``FRONTDESK_VERIFY_TWILIO_SIGNATURE=false`` turns the check off for local
use; the app logs a warning at startup when it is off, and production settings refuse it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from fastapi import APIRouter, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Connect, Stream, VoiceResponse

from frontdesk.settings import Settings
from telephony.call import PhoneCall, StreamStart
from telephony.runtime import Telephony
from telephony.tokens import StreamTokenError, issue_stream_token, verify_stream_token

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/twilio", tags=["twilio"])

MEDIA_PATH = "/twilio/media"
START_TIMEOUT_SECONDS = 10.0
"""How long a new media stream may take to send its ``start`` event."""

POLICY_VIOLATION = 1008  # websocket close code for a rejected stream

_SID = re.compile(r"^[A-Za-z0-9]{2,64}$")


def get_telephony(request: Request) -> Telephony:
    """Return the phone service the app's lifespan stored in ``app.state.telephony``."""
    telephony: Telephony = request.app.state.telephony
    return telephony


def webhook_url(settings: Settings, request: Request) -> str:
    """Return the URL Twilio signed: the public URL, the request path and its query."""
    url = settings.public_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


def media_stream_url(settings: Settings) -> str:
    """Return the websocket URL of the media stream for the TwiML response."""
    base = settings.public_url.rstrip("/")
    if base.startswith("https://"):
        base = "wss://" + base.removeprefix("https://")
    elif base.startswith("http://"):
        base = "ws://" + base.removeprefix("http://")
    return base + MEDIA_PATH


async def verified_form(request: Request, settings: Settings) -> dict[str, str]:
    """Return the webhook's form fields after checking Twilio's signature.

    Raises:
        HTTPException: 403 when the signature is missing or wrong, or when no auth token is
            configured to check it with.
    """
    form = await request.form()
    params = {key: value for key, value in form.items() if isinstance(value, str)}
    if not settings.verify_twilio_signature:
        return params
    if settings.twilio_auth_token is None:
        logger.error(
            "Rejected a Twilio webhook: FRONTDESK_TWILIO_AUTH_TOKEN is not set, so its "
            "signature cannot be checked"
        )
        raise HTTPException(status_code=403, detail="Invalid Twilio signature.")
    validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
    signature = request.headers.get("X-Twilio-Signature", "")
    if not validator.validate(webhook_url(settings, request), params, signature):
        logger.warning("Rejected a Twilio webhook with an invalid signature")
        raise HTTPException(status_code=403, detail="Invalid Twilio signature.")
    return params


@router.post("/voice")
async def incoming_call(request: Request) -> Response:
    """Answer an incoming call with TwiML that streams its audio to the agent."""
    telephony = get_telephony(request)
    settings = telephony.settings
    params = await verified_form(request, settings)
    call_sid = params.get("CallSid", "")
    if not _SID.match(call_sid):
        raise HTTPException(status_code=400, detail="Missing or invalid CallSid.")
    token = issue_stream_token(
        settings.secret_key.get_secret_value(),
        call_sid=call_sid,
        from_number=params.get("From"),
        to_number=params.get("To"),
    )
    stream = Stream(url=media_stream_url(settings))
    stream.parameter(name="token", value=token)
    connect = Connect()
    connect.append(stream)
    response = VoiceResponse()
    response.append(connect)
    logger.info("Incoming call answered", extra={"call_sid": call_sid})
    return Response(content=str(response), media_type="application/xml")


@router.post("/status", status_code=204)
async def call_status(request: Request) -> Response:
    """Store the call status Twilio reports (ringing, in-progress, completed...)."""
    telephony = get_telephony(request)
    params = await verified_form(request, telephony.settings)
    call_sid = params.get("CallSid", "")
    status = params.get("CallStatus", "")
    if not _SID.match(call_sid) or not status:
        raise HTTPException(status_code=400, detail="Missing CallSid or CallStatus.")
    known = await telephony.records.status_changed(call_sid, status[:32])
    if not known:
        logger.debug("Status for a call not on record", extra={"call_sid": call_sid})
    return Response(status_code=204)


@router.websocket("/media")
async def media_stream(websocket: WebSocket) -> None:
    """Run one call's media stream, once its ``start`` event carries a valid token."""
    telephony: Telephony = websocket.app.state.telephony
    await websocket.accept()
    start = await _admitted_start(websocket, telephony)
    if start is None:
        return
    call = PhoneCall(websocket=websocket, start=start, telephony=telephony)
    telephony.calls[start.call_sid] = call
    try:
        await call.run()
    finally:
        telephony.calls.pop(start.call_sid, None)


async def _admitted_start(websocket: WebSocket, telephony: Telephony) -> StreamStart | None:
    """Read up to the ``start`` event and check its token; close the stream if either fails."""
    try:
        message = await asyncio.wait_for(_read_until_start(websocket), START_TIMEOUT_SECONDS)
    except TimeoutError:
        await _reject(websocket, "it sent no start event in time")
        return None
    except WebSocketDisconnect:
        return None
    if message is None:
        return None

    start = message.get("start")
    if not isinstance(start, dict):
        await _reject(websocket, "its start event has no start object")
        return None
    call_sid = start.get("callSid")
    stream_sid = message.get("streamSid") or start.get("streamSid")
    if not isinstance(call_sid, str) or not _SID.match(call_sid) or not isinstance(stream_sid, str):
        await _reject(websocket, "its start event lacks its call or stream SID")
        return None

    parameters = start.get("customParameters")
    token = parameters.get("token") if isinstance(parameters, dict) else None
    try:
        grant = verify_stream_token(
            telephony.settings.secret_key.get_secret_value(),
            token if isinstance(token, str) else None,
            call_sid=call_sid,
        )
    except StreamTokenError as error:
        await _reject(websocket, str(error), call_sid=call_sid)
        return None
    if call_sid in telephony.calls:
        await _reject(websocket, "its call already has a stream", call_sid=call_sid)
        return None

    return StreamStart(
        call_sid=call_sid,
        stream_sid=stream_sid[:64],
        from_number=grant.from_number,
        to_number=grant.to_number,
    )


async def _reject(websocket: WebSocket, reason: str, *, call_sid: str | None = None) -> None:
    logger.warning("Rejected a media stream: %s", reason, extra={"call_sid": call_sid})
    await websocket.close(code=POLICY_VIOLATION)


async def _read_until_start(websocket: WebSocket) -> dict[str, Any] | None:
    """Return the ``start`` message, skipping anything before it (logged once per kind)."""
    ignored: set[str] = set()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return None
        kind = _pre_start_kind(message.get("text"))
        if kind == "start":
            return dict(json.loads(message["text"]))
        if kind == "connected" or kind in ignored:
            continue
        ignored.add(kind)
        logger.warning("Ignored %s before the start event", kind)


def _pre_start_kind(text: str | None) -> str:
    if text is None:
        return "a binary message"
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return "a message that is not JSON"
    event = data.get("event") if isinstance(data, dict) else None
    if event in ("start", "connected"):
        return str(event)
    if event == "media":
        return "media"
    return "an unexpected message"
