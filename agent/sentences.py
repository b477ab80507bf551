"""Split streamed reply text into sentences as soon as each one is complete.

Text-to-speech starts on the first whole sentence, so the splitter must decide early without
cutting a sentence in two. A period ends a sentence only when whitespace follows it and the
word before it is not an abbreviation: "Dr. Patel", "St. Mary's", "9:15 a.m. with" and "3.5"
stay whole, while "at 9 a.m. Please" splits after "a.m.".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Words that end in a period but do not end a sentence, compared in lower case.
TITLE_ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "mx", "prof", "st", "sr", "jr", "vs", "ave", "blvd", "ste",
     "apt", "dept", "mt", "ft", "sra", "dra", "srta", "e.g", "i.e", "approx"}
)  # fmt: skip
# These end a sentence when the next word is capitalised ("at 9 a.m. See you then").
CLOCK_ABBREVIATIONS = frozenset({"a.m", "p.m"})

_CLOSERS = "\"')]»”’"
_TERMINATORS = ".!?…"
# A sentence longer than this is cut at its last comma so speech can start sooner.
MAX_SENTENCE_CHARS = 240


def _word_before(text: str, end: int) -> str:
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip(_CLOSERS + "(\"'¿¡").lower()


def _boundary_after(text: str, index: int) -> int | None:
    """Return where a sentence ends if the terminator at ``index`` ends one.

    Returns None when it does not, and -1 when more text is needed to decide.
    """
    end = index + 1
    while end < len(text) and text[end] in _TERMINATORS + _CLOSERS:
        end += 1
    if end >= len(text):
        return -1
    if not text[end].isspace():
        return None
    if text[index] != ".":
        return end
    word = _word_before(text, index)
    if word in TITLE_ABBREVIATIONS:
        return None
    if len(word) == 1 and word.isalpha():
        # An initial, as in "J. Smith".
        return None
    if word in CLOCK_ABBREVIATIONS:
        rest = text[end:].lstrip()
        if not rest:
            return -1
        return end if rest[0].isupper() else None
    return end


def _find_boundary(text: str) -> int | None:
    # A line break ends a sentence too: LLMs sometimes write lists without punctuation.
    newline = text.find("\n", len(text) - len(text.lstrip()))
    for match in re.finditer(rf"[{re.escape(_TERMINATORS)}]", text):
        if 0 <= newline < match.start():
            return newline
        boundary = _boundary_after(text, match.start())
        if boundary == -1:
            return None
        if boundary is not None:
            return boundary
    return newline if newline >= 0 else None


class SentenceSplitter:
    """Collect text deltas and release whole sentences.

    Example::

        splitter = SentenceSplitter()
        list(splitter.feed("See Dr. Patel at 9:15 a.m. on"))  # []
        list(splitter.feed(" Tuesday. Anything else?"))        # ["See Dr. Patel ... Tuesday."]
        list(splitter.flush())                                 # ["Anything else?"]
    """

    def __init__(self) -> None:
        self._buffer = ""

    @property
    def pending(self) -> str:
        """The text received but not yet released as a sentence."""
        return self._buffer

    def feed(self, delta: str) -> Iterator[str]:
        """Add ``delta`` and yield every sentence it completes."""
        self._buffer += delta
        while True:
            boundary = _find_boundary(self._buffer)
            if boundary is None:
                boundary = self._long_sentence_cut()
            if boundary is None:
                return
            sentence = self._buffer[:boundary].strip()
            self._buffer = self._buffer[boundary:].lstrip()
            if sentence:
                yield sentence

    def flush(self) -> Iterator[str]:
        """Yield whatever text remains as the last sentence."""
        sentence = self._buffer.strip()
        self._buffer = ""
        if sentence:
            yield sentence

    def _long_sentence_cut(self) -> int | None:
        if len(self._buffer) <= MAX_SENTENCE_CHARS:
            return None
        comma = self._buffer.rfind(", ", 0, MAX_SENTENCE_CHARS)
        return comma + 1 if comma > 0 else None


def split_sentences(text: str) -> list[str]:
    """Split a whole text into sentences with the same rules as the streaming splitter."""
    splitter = SentenceSplitter()
    sentences = list(splitter.feed(text))
    sentences.extend(splitter.flush())
    return sentences
