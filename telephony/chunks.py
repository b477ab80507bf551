"""Cutting the agent's sentences into the chunks piper synthesizes.

Piper synthesizes a chunk whole before any of its audio plays, in time and memory roughly
proportional to its length. Measured on two cores, a 12-character chunk took about 0.13 s and
25 MB at its peak, and a 63-character one 0.7 s and 170 MB. Chunks are therefore kept short:

* text is cut into sentences, and sentences at clause breaks (``,`` ``;`` ``:``), which
  piper voices with a pause anyway, and a clause longer than :data:`MAX_CHUNK_CHARS`
  before a linking word ("and", "with", "at"...) or, failing that, between words, keeping
  a tail shorter than :data:`MIN_CHUNK_CHARS` with the words before it;
* neighbouring pieces are joined again while they fit;
* the first chunk of a reply is capped lower still, because the caller is waiting for it; the
  rest is synthesized while it plays.
"""

from __future__ import annotations

import re

MAX_CHUNK_CHARS = 40
FIRST_CHUNK_CHARS = 30
MIN_CHUNK_CHARS = 10

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_ABBREVIATIONS = ("Dr.", "Mr.", "Mrs.", "Ms.", "St.", "Jr.", "Sr.", "Mt.", "No.")
_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+")
_BREAK_BEFORE = frozenset(
    [
        "and",
        "or",
        "but",
        "so",
        "because",
        "with",
        "at",
        "in",
        "on",
        "for",
        "to",
        "from",
        "that",
        "which",
        "who",
        "where",
        "when",
        "if",
        "then",
        "until",
        "after",
        "before",
        "about",
    ]
)


def speech_chunks(
    sentence: str,
    *,
    first: bool,
    max_chars: int = MAX_CHUNK_CHARS,
    first_chars: int = FIRST_CHUNK_CHARS,
) -> list[str]:
    """Return ``sentence`` as the chunks to synthesize, in order.

    Args:
        sentence: One sentence (or a short run of them) to speak.
        first: Whether it starts a reply, so that its first chunk is capped at
            ``first_chars``.
        max_chars: The usual cap of a chunk's length.
        first_chars: The cap of the first chunk of a reply.
    """
    chunks: list[str] = []
    for number, text in enumerate(_sentences(" ".join(sentence.split()))):
        pieces: list[str] = []
        for clause in _CLAUSE_BREAK.split(text):
            pieces.extend(_split_clause(clause, max_chars))
        start = len(chunks)
        for piece in pieces:
            first_chunk = first and number == 0 and len(chunks) == start + 1
            limit = first_chars if first_chunk else max_chars
            if len(chunks) > start and len(chunks[-1]) + 1 + len(piece) <= limit:
                chunks[-1] = f"{chunks[-1]} {piece}"
            else:
                chunks.append(piece)
    return chunks


def _sentences(text: str) -> list[str]:
    """Cut ``text`` at sentence ends, but not after a title such as "Dr."."""
    sentences: list[str] = []
    for part in _SENTENCE_END.split(text):
        if sentences and sentences[-1].endswith(_ABBREVIATIONS):
            sentences[-1] = f"{sentences[-1]} {part}"
        elif part:
            sentences.append(part)
    return sentences


def _split_clause(clause: str, max_chars: int) -> list[str]:
    """Cut a clause longer than ``max_chars`` between words, before a linking word if any."""
    words = clause.split(" ")
    pieces: list[str] = []
    current: list[str] = []
    for word in words:
        if current and len(" ".join([*current, word])) > max_chars:
            cut = _linking_word_cut(current)
            pieces.append(" ".join(current[:cut]))
            current = current[cut:]
        current.append(word)
    if current:
        tail = " ".join(current)
        if pieces and len(tail) < MIN_CHUNK_CHARS:
            pieces[-1] = f"{pieces[-1]} {tail}"
        else:
            pieces.append(tail)
    return pieces


def _linking_word_cut(words: list[str]) -> int:
    """Return where to cut ``words``: before the last linking word, if it leaves enough."""
    for index in range(len(words) - 1, 0, -1):
        head = " ".join(words[:index])
        if words[index].lower() in _BREAK_BEFORE and len(head) >= MIN_CHUNK_CHARS:
            return index
    return len(words)
