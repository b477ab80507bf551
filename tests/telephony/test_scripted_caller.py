"""Script lines of the simulated caller, and log redaction of pipecat's output."""

from __future__ import annotations

import logging

import pytest

from telephony.pipecat_logs import configure_pipecat_logging, redact
from telephony.scripted_caller import ScriptError, ScriptLine, parse_script_line


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("I'd like to book a check-up", ScriptLine("say", "I'd like to book a check-up")),
        ("dtmf:0315#", ScriptLine("dtmf", "0315#")),
        ("DTMF: 1 2 3", ScriptLine("dtmf", "123")),
        ("silence:9", ScriptLine("silence", "9.0")),
        ("barge:Actually, Friday", ScriptLine("barge", "Actually, Friday")),
        ("hangup", ScriptLine("hangup")),
        ("Note: my name is Ana", ScriptLine("say", "Note: my name is Ana")),
    ],
)
def test_script_lines_parse(text: str, line: ScriptLine) -> None:
    assert parse_script_line(text) == line


@pytest.mark.parametrize("text", ["dtmf:12a", "silence:soon", "silence:0", "silence:500", "  "])
def test_invalid_script_lines_raise(text: str) -> None:
    with pytest.raises(ScriptError):
        parse_script_line(text)


def test_pipecat_logs_lose_quoted_text(caplog: pytest.LogCaptureFixture) -> None:
    from loguru import logger

    configure_pipecat_logging()
    caplog.set_level(logging.WARNING, logger="pipecat")

    logger.warning("SharedPiperTTSService#0: not speaking [my date of birth is March 9]")
    logger.debug("Transcription: [secret words]")

    assert redact("Transcription: [a] and [b]") == "Transcription: [...] and [...]"
    assert "not speaking [...]" in caplog.text
    assert "March 9" not in caplog.text
    assert "secret words" not in caplog.text
