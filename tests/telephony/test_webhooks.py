"""The Twilio webhooks: signature checks, the TwiML answer, call status."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from clinic.calls import start_call
from clinic.db import make_engine, make_session_factory
from clinic.models import Call
from frontdesk.app import create_app
from frontdesk.settings import Settings
from telephony.tokens import verify_stream_token
from tests.telephony.conftest import AUTH_TOKEN, SECRET_KEY, make_settings
from tests.telephony.fakes import FakeSpeechModels, ScriptedAgent, agent_factory

PUBLIC_URL = "https://clinic.example.com"
CALL_SID = "CA" + "1" * 32
FORM = {"CallSid": CALL_SID, "From": "+18025550142", "To": "+18025550100", "CallStatus": "ringing"}


def _client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(
        settings, speech_models=FakeSpeechModels(), agent_factory=agent_factory(ScriptedAgent())
    )
    with TestClient(app) as client:
        yield client


@pytest.fixture
def settings(tmp_path: Path, sqlite_url: str) -> Settings:
    return make_settings(tmp_path, database_url=sqlite_url, public_url=PUBLIC_URL)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    yield from _client(settings)


def _signature(path: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(PUBLIC_URL + path, form)


def test_voice_webhook_answers_with_stream(client: TestClient) -> None:
    response = client.post(
        "/twilio/voice",
        data=FORM,
        headers={"X-Twilio-Signature": _signature("/twilio/voice", FORM)},
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    stream = ElementTree.fromstring(response.text).find("./Connect/Stream")
    assert stream is not None
    assert stream.get("url") == "wss://clinic.example.com/twilio/media"
    parameter = stream.find("./Parameter")
    assert parameter is not None
    assert parameter.get("name") == "token"
    grant = verify_stream_token(SECRET_KEY, parameter.get("value"), call_sid=CALL_SID)
    assert grant.from_number == "+18025550142"
    assert grant.to_number == "+18025550100"


@pytest.mark.parametrize("path", ["/twilio/voice", "/twilio/status"])
@pytest.mark.parametrize(
    "signature",
    [None, "not-a-signature", "signed-with-another-token", "signed-for-other-fields"],
)
def test_webhook_with_bad_signature_is_forbidden(
    client: TestClient, path: str, signature: str | None
) -> None:
    headers = {}
    if signature == "signed-with-another-token":
        headers["X-Twilio-Signature"] = _signature(path, FORM, token="another-token")
    elif signature == "signed-for-other-fields":
        headers["X-Twilio-Signature"] = _signature(path, {**FORM, "From": "+15550000000"})
    elif signature is not None:
        headers["X-Twilio-Signature"] = signature

    response = client.post(path, data=FORM, headers=headers)

    assert response.status_code == 403


def test_webhook_without_auth_token_is_forbidden(tmp_path: Path, sqlite_url: str) -> None:
    settings = make_settings(
        tmp_path, database_url=sqlite_url, public_url=PUBLIC_URL, twilio_auth_token=None
    )
    for client in _client(settings):
        response = client.post(
            "/twilio/voice",
            data=FORM,
            headers={"X-Twilio-Signature": _signature("/twilio/voice", FORM)},
        )

        assert response.status_code == 403


def test_unverified_webhooks_allowed_when_check_off(
    tmp_path: Path, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(
        tmp_path, database_url=sqlite_url, public_url=PUBLIC_URL, verify_twilio_signature=False
    )
    for client in _client(settings):
        response = client.post("/twilio/voice", data=FORM)

        assert response.status_code == 200
    assert "signature verification is off" in caplog.text


def test_status_webhook_records_call_status(client: TestClient, settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    start_call(
        factory,
        call_sid=CALL_SID,
        channel="phone",
        from_number=None,
        to_number=None,
        now=datetime.now(UTC),
    )
    form = {**FORM, "CallStatus": "completed", "CallDuration": "42"}

    response = client.post(
        "/twilio/status",
        data=form,
        headers={"X-Twilio-Signature": _signature("/twilio/status", form)},
    )

    with factory() as session:
        status = session.scalar(select(Call.twilio_status).where(Call.call_sid == CALL_SID))
    engine.dispose()
    assert response.status_code == 204
    assert status == "completed"


def test_status_for_unknown_call_is_accepted(client: TestClient) -> None:
    form = {**FORM, "CallSid": "CA" + "9" * 32, "CallStatus": "completed"}

    response = client.post(
        "/twilio/status",
        data=form,
        headers={"X-Twilio-Signature": _signature("/twilio/status", form)},
    )

    assert response.status_code == 204


def test_voice_webhook_rejects_invalid_call_sid(client: TestClient) -> None:
    form = {**FORM, "CallSid": "../../etc/passwd"}

    response = client.post(
        "/twilio/voice",
        data=form,
        headers={"X-Twilio-Signature": _signature("/twilio/voice", form)},
    )

    assert response.status_code == 400
