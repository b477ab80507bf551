"""Tracking of the parts of an agent reply that the caller has actually heard.

Each chunk of a reply goes to TTS followed by a Twilio ``mark``. Twilio echoes a mark once all
audio sent before it has played, so the chunks whose marks came back are exactly what the
caller heard. On barge-in that is the text the conversation keeps. Twilio also echoes pending
marks when it clears its buffer, so marks that arrive after a barge-in are ignored: the
playback is closed at the moment of the barge-in.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from agent.events import Hangup, Transfer


@dataclass
class Playback:
    """One agent reply on its way to the caller.

    Attributes:
        reply_id: Unique within the call; part of every mark name.
        chunks: The text chunks sent to TTS, in order, by mark name.
        played: Mark names Twilio echoed.
        generation_done: The agent has produced the whole reply.
        action: A transfer or hang-up to carry out once everything has played.
        closed: Barge-in or the end of the call closed it; later marks are ignored.
        progress: Set whenever a mark arrives or the playback closes.
    """

    reply_id: int
    chunks: dict[str, str] = field(default_factory=dict)
    played: set[str] = field(default_factory=set)
    generation_done: bool = False
    action: Transfer | Hangup | None = None
    closed: bool = False
    progress: asyncio.Event = field(default_factory=asyncio.Event)

    def add_chunk(self, text: str) -> str:
        """Register a chunk about to be sent and return its mark name."""
        name = f"reply-{self.reply_id}-{len(self.chunks) + 1}"
        self.chunks[name] = text
        return name

    def mark_played(self, name: str) -> bool:
        """Record an echoed mark; return False when it is not one of this open reply."""
        if self.closed or name not in self.chunks:
            return False
        self.played.add(name)
        self.progress.set()
        return True

    def close(self) -> None:
        """Stop accepting marks (barge-in or the end of the call)."""
        self.closed = True
        self.progress.set()

    async def wait_until_played(self) -> bool:
        """Wait until every chunk sent so far has played; False if the playback closes first."""
        while not self.closed:
            if not self.has_audio_pending:
                return True
            self.progress.clear()
            await self.progress.wait()
        return False

    @property
    def delivered_text(self) -> str:
        """The chunks played so far, up to the first one that has not played."""
        delivered: list[str] = []
        for name, text in self.chunks.items():
            if name not in self.played:
                break
            delivered.append(text)
        return " ".join(delivered)

    @property
    def all_played(self) -> bool:
        """Whether the whole reply was generated and every chunk has played."""
        return self.generation_done and len(self.played) == len(self.chunks)

    @property
    def has_audio_pending(self) -> bool:
        """Whether some sent chunk has not played yet."""
        return len(self.played) < len(self.chunks)
