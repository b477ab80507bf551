"""Route pipecat's loguru output into the standard ``logging`` tree, without call content.

Pipecat logs through loguru, and at DEBUG level it writes transcripts and the text it
synthesizes ("Generating TTS [...]"). Patient details must never reach the logs, so only
WARNING and above are forwarded (to the ``pipecat`` logger), and any text in square
brackets, pipecat's way of quoting content, is replaced by ``[...]``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_QUOTED = re.compile(r"\[[^\]]*\]")
_configured = False


def redact(message: str) -> str:
    """Replace bracketed content (transcripts, synthesized text) with ``[...]``."""
    return _QUOTED.sub("[...]", message)


def _forward(message: Any) -> None:
    record = message.record
    level = record["level"].no
    logging.getLogger("pipecat").log(level, "%s", redact(record["message"]))


def configure_pipecat_logging(level: int = logging.WARNING) -> None:
    """Replace loguru's default stderr sink with a redacting bridge to ``logging``."""
    global _configured
    if _configured:
        return
    from loguru import logger

    logger.remove()
    logger.add(_forward, level=level, format="{message}")
    _configured = True
