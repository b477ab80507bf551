"""Call control through Twilio's REST API, against a fake HTTP client that answers like Twilio."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response

from telephony.control import (
    CallControlError,
    LocalCallControl,
    TwilioCallControl,
    call_control_from_settings,
)
from tests.telephony.conftest import make_settings

ACCOUNT_SID = "AC" + "0" * 32
CALL_SID = "CA" + "4" * 32


class FakeTwilioHttp(HttpClient):
    """Records requests and answers each with the next queued status and body."""

    def __init__(self, *answers: tuple[int, dict[str, Any]]) -> None:
        super().__init__(logging.getLogger("fake-twilio"), is_async=False)
        self.answers = list(answers)
        self.requests: list[tuple[str, str, dict[str, object]]] = []

    def request(
        self, method: str, uri: str, params: Any = None, data: Any = None, **_: Any
    ) -> Response:
        self.requests.append((method, uri, dict(data or {})))
        status, body = self.answers.pop(0)
        return Response(status, json.dumps(body))


def _call_resource(status: str = "in-progress") -> dict[str, Any]:
    return {"sid": CALL_SID, "account_sid": ACCOUNT_SID, "status": status}


async def test_transfer_updates_call_with_dial() -> None:
    http = FakeTwilioHttp((200, _call_resource()))
    control = TwilioCallControl(ACCOUNT_SID, "auth-token", http_client=http)

    await control.transfer(CALL_SID, "+18025550102")

    method, uri, data = http.requests[0]
    assert method == "POST"
    assert uri.endswith(f"/Accounts/{ACCOUNT_SID}/Calls/{CALL_SID}.json")
    assert (
        data["Twiml"]
        == '<?xml version="1.0" encoding="UTF-8"?><Response><Dial>+18025550102</Dial></Response>'
    )


async def test_hang_up_completes_call() -> None:
    http = FakeTwilioHttp((200, _call_resource("completed")))
    control = TwilioCallControl(ACCOUNT_SID, "auth-token", http_client=http)

    await control.hang_up(CALL_SID)

    assert http.requests[0][2] == {"Status": "completed"}


async def test_hang_up_of_ended_call_is_quiet() -> None:
    http = FakeTwilioHttp((404, {"code": 20404, "message": "Not found", "status": 404}))
    control = TwilioCallControl(ACCOUNT_SID, "auth-token", http_client=http)

    await control.hang_up(CALL_SID)

    assert len(http.requests) == 1


async def test_rejected_transfer_raises() -> None:
    http = FakeTwilioHttp((500, {"code": 20500, "message": "Internal error", "status": 500}))
    control = TwilioCallControl(ACCOUNT_SID, "auth-token", http_client=http)

    with pytest.raises(CallControlError, match="HTTP 500"):
        await control.transfer(CALL_SID, "+18025550102")


def test_credentials_choose_twilio_control(tmp_path: Any) -> None:
    with_credentials = make_settings(tmp_path, twilio_account_sid=ACCOUNT_SID)
    without = make_settings(tmp_path, twilio_auth_token=None)

    assert isinstance(call_control_from_settings(with_credentials), TwilioCallControl)
    assert isinstance(call_control_from_settings(without), LocalCallControl)
