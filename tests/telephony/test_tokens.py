"""Media stream tokens."""

from __future__ import annotations

import time

import pytest

from telephony.tokens import (
    TOKEN_MAX_AGE_SECONDS,
    StreamTokenError,
    issue_stream_token,
    verify_stream_token,
)

SECRET = "a-long-random-secret-key-for-tests"
CALL_SID = "CA" + "2" * 32


def test_token_grants_its_call() -> None:
    token = issue_stream_token(
        SECRET, call_sid=CALL_SID, from_number="+18025550142", to_number=None
    )

    grant = verify_stream_token(SECRET, token, call_sid=CALL_SID)

    assert grant.call_sid == CALL_SID
    assert grant.from_number == "+18025550142"
    assert grant.to_number is None


@pytest.mark.parametrize(
    ("secret", "call_sid", "age", "message"),
    [
        ("another-secret-key-entirely", CALL_SID, 0, "invalid signature"),
        (SECRET, "CA" + "3" * 32, 0, "another call"),
        (SECRET, CALL_SID, TOKEN_MAX_AGE_SECONDS + 1, "expired"),
    ],
)
def test_bad_tokens_are_rejected(secret: str, call_sid: str, age: int, message: str) -> None:
    now = time.time()
    token = issue_stream_token(secret, call_sid=CALL_SID, from_number=None, to_number=None, now=now)

    with pytest.raises(StreamTokenError, match=message):
        verify_stream_token(SECRET, token, call_sid=call_sid, now=now + age)


@pytest.mark.parametrize("token", [None, "", "garbage.token.value"])
def test_missing_or_garbled_token_is_rejected(token: str | None) -> None:
    with pytest.raises(StreamTokenError):
        verify_stream_token(SECRET, token, call_sid=CALL_SID)
