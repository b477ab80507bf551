"""A local OpenAI-compatible chat-completions server whose replies the test scripts.

The server speaks real HTTP on 127.0.0.1 (an ephemeral port) from a background thread, so the
official ``openai`` client reaches it through its whole stack: connection pool, SSE parsing,
timeouts and status handling. Each request to ``POST /v1/chat/completions`` takes the next
scripted reply from a queue:

- :class:`Reply` - text and/or tool calls, streamed in chunks (``stream: true``) or returned
  as one JSON body, with optional delays, a stall, or a stream cut midway (the connection is
  aborted, or the body ends without ``[DONE]``).
- :class:`ErrorReply` - an HTTP error status such as 429 with ``Retry-After`` or 500.

Every request body is recorded in :attr:`FakeOpenAIServer.requests` so tests can assert on the
messages and tools the client sent. A request that finds the queue empty gets HTTP 500 and is
counted in :attr:`FakeOpenAIServer.unscripted_requests`; the :func:`fake_openai` fixture fails
the test on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest
from aiohttp import web

MODEL = "fake-model"


@dataclass
class ScriptedToolCall:
    """One tool call the fake model makes.

    Attributes:
        name: The function name.
        arguments: JSON text sent verbatim (so it may be malformed), or a dict to encode.
        id: The tool call id; generated from the position when None.
        pieces: How many chunks the arguments text is split across when streaming.
    """

    name: str
    arguments: str | dict[str, Any]
    id: str | None = None
    pieces: int = 1

    def arguments_text(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments)


@dataclass
class Reply:
    """A successful completion: text, tool calls, or both (text first).

    Attributes:
        text: Assistant text, streamed ``text_chunk_chars`` characters per chunk.
        tool_calls: Tool calls, several of them for parallel calls.
        text_chunk_chars: Characters per streamed text chunk.
        interleave: Stream the argument pieces of parallel tool calls interleaved
            (call 0 piece 1, call 1 piece 1, ...) instead of one call after another.
        omit_index: Leave ``index`` out of tool-call deltas, as some servers do.
        inject: Raw ``data:`` payloads to send before the chunk with that position, such
            as an ``{"error": ...}`` event or text that is not JSON.
        headers_delay: Seconds before the response headers are sent.
        first_chunk_delay: Seconds between the headers and the first chunk.
        chunk_delay: Seconds between chunks.
        stall_after: Stop sending after this many chunks and keep the connection open
            for ``stall_seconds``.
        stall_seconds: How long a stall lasts.
        cut_after: Stop the stream after this many chunks.
        cut: ``"abort"`` drops the TCP connection mid-body; ``"eof"`` ends the body cleanly
            but without a finish reason or ``[DONE]``.
        honour_usage: Send a usage chunk when the request includes ``include_usage``; False imitates
            servers that ignore ``stream_options``.
        usage: ``(prompt_tokens, completion_tokens)`` reported.
        finish_reason: Overrides the finish reason (``"tool_calls"`` or ``"stop"`` by default).
    """

    text: str = ""
    tool_calls: list[ScriptedToolCall] = field(default_factory=list)
    text_chunk_chars: int = 6
    interleave: bool = False
    omit_index: bool = False
    inject: dict[int, str] = field(default_factory=dict)
    headers_delay: float = 0.0
    first_chunk_delay: float = 0.0
    chunk_delay: float = 0.0
    stall_after: int | None = None
    stall_seconds: float = 30.0
    cut_after: int | None = None
    cut: Literal["abort", "eof"] = "abort"
    honour_usage: bool = True
    usage: tuple[int, int] = (120, 30)
    finish_reason: str | None = None


@dataclass
class ErrorReply:
    """An HTTP error response with an OpenAI-style error body."""

    status: int
    message: str = "The fake server was told to fail this request."
    retry_after: float | None = None
    headers_delay: float = 0.0


ScriptedReply = Reply | ErrorReply


@dataclass
class RecordedRequest:
    """A request the server received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    chunks_sent: int = 0

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def tool_names(self) -> list[str]:
        return [tool["function"]["name"] for tool in self.body.get("tools", [])]


def text(content: str, **options: Any) -> Reply:
    """Script a reply whose text is ``content``."""
    return Reply(text=content, **options)


def tool_call(name: str, arguments: str | dict[str, Any], **options: Any) -> Reply:
    """Script a reply with a single tool call; ``pieces`` splits its arguments."""
    pieces = options.pop("pieces", 1)
    call_id = options.pop("id", None)
    call = ScriptedToolCall(name=name, arguments=arguments, id=call_id, pieces=pieces)
    return Reply(tool_calls=[call], **options)


def error(status: int, **options: Any) -> ErrorReply:
    """Script an HTTP error status."""
    return ErrorReply(status=status, **options)


class FakeOpenAIServer:
    """The server: start it, script replies, point a client at :attr:`base_url`."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.unscripted_requests = 0
        self.aborted_streams = 0
        self._script: deque[ScriptedReply] = deque()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._stopping: asyncio.Event | None = None
        self._port = 0

    @property
    def base_url(self) -> str:
        """The URL to give the client, ending in ``/v1``."""
        return f"http://127.0.0.1:{self._port}/v1"

    def script(self, *replies: ScriptedReply) -> None:
        """Queue replies; each request consumes the next one."""
        with self._lock:
            self._script.extend(replies)

    @property
    def pending(self) -> int:
        """How many scripted replies no request has consumed yet."""
        with self._lock:
            return len(self._script)

    def start(self) -> None:
        """Start serving on an ephemeral port; returns once the port is bound."""
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(ready,), name="fake-openai", daemon=True
        )
        self._thread.start()
        if not ready.wait(timeout=10):
            raise RuntimeError("The fake OpenAI server did not start within 10 seconds.")

    def stop(self) -> None:
        """Stop the server and wait for its thread; pending delays end at once."""
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    # The server thread.

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._startup())
        ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _startup(self) -> None:
        self._stopping = asyncio.Event()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat_completions)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def _shutdown(self) -> None:
        assert self._stopping is not None and self._runner is not None
        self._stopping.set()
        await self._runner.cleanup()

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when the server stops."""
        assert self._stopping is not None
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def _chat_completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        recorded = RecordedRequest(path=request.path, headers=dict(request.headers), body=body)
        with self._lock:
            self.requests.append(recorded)
            reply = self._script.popleft() if self._script else None
        if reply is None:
            self.unscripted_requests += 1
            return _error_response(500, "No scripted reply is left for this request.")

        await self._sleep(reply.headers_delay)
        if isinstance(reply, ErrorReply):
            return _error_response(reply.status, reply.message, reply.retry_after)
        if body.get("stream"):
            try:
                return await self._stream(request, recorded, reply)
            except ConnectionResetError:
                # The client hung up (a timeout or a barge-in), so nothing is left to send.
                return web.Response(status=499)
        return web.json_response(_completion_body(reply))

    async def _stream(
        self, request: web.Request, recorded: RecordedRequest, reply: Reply
    ) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await self._sleep(reply.first_chunk_delay)

        want_usage = bool((recorded.body.get("stream_options") or {}).get("include_usage"))
        chunks = list(_stream_chunks(reply, include_usage=want_usage and reply.honour_usage))
        for sent, chunk in enumerate(chunks):
            if reply.cut_after is not None and sent == reply.cut_after:
                return await self._cut(request, response, reply)
            if reply.stall_after is not None and sent == reply.stall_after:
                await self._sleep(reply.stall_seconds)
            if sent and reply.chunk_delay:
                await self._sleep(reply.chunk_delay)
            if sent in reply.inject:
                await response.write(f"data: {reply.inject[sent]}\n\n".encode())
            # Counted before the write, so a client that has read a chunk finds it counted.
            recorded.chunks_sent += 1
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        if reply.cut_after is not None:
            return await self._cut(request, response, reply)
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _cut(
        self, request: web.Request, response: web.StreamResponse, reply: Reply
    ) -> web.StreamResponse:
        if reply.cut == "eof":
            await response.write_eof()
            return response
        self.aborted_streams += 1
        # Dropping the transport leaves the chunked body unterminated, which the client
        # sees as a broken connection, exactly like a proxy or server dying mid-answer.
        assert request.transport is not None
        request.transport.abort()
        return response


def _error_response(status: int, message: str, retry_after: float | None = None) -> web.Response:
    headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
    error_body = {"error": {"message": message, "type": "fake_error", "code": str(status)}}
    return web.json_response(error_body, status=status, headers=headers)


def _finish_reason(reply: Reply) -> str:
    if reply.finish_reason is not None:
        return reply.finish_reason
    return "tool_calls" if reply.tool_calls else "stop"


def _call_id(reply: Reply, index: int) -> str:
    call = reply.tool_calls[index]
    return call.id if call.id is not None else f"call_{index}"


def _chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _split(text_value: str, pieces: int) -> list[str]:
    """Split ``text_value`` into at most ``pieces`` consecutive parts."""
    pieces = max(1, pieces)
    size = -(-len(text_value) // pieces) if text_value else 0
    if size == 0:
        return [text_value]
    return [text_value[i : i + size] for i in range(0, len(text_value), size)]


def _tool_call_chunks(reply: Reply) -> Iterator[dict[str, Any]]:
    parts = [_split(call.arguments_text(), call.pieces) for call in reply.tool_calls]
    # The first chunk of each call carries its id and name; later ones only argument text.
    streams: list[list[dict[str, Any]]] = []
    for index, call in enumerate(reply.tool_calls):
        head = {
            "index": index,
            "id": _call_id(reply, index),
            "type": "function",
            "function": {"name": call.name, "arguments": parts[index][0]},
        }
        tail = [{"index": index, "function": {"arguments": piece}} for piece in parts[index][1:]]
        streams.append([head, *tail])

    if reply.interleave:
        longest = max(len(stream) for stream in streams)
        ordered = [s[i] for i in range(longest) for s in streams if i < len(s)]
    else:
        ordered = [delta for stream in streams for delta in stream]
    for delta in ordered:
        if reply.omit_index:
            delta = {key: value for key, value in delta.items() if key != "index"}
        yield _chunk({"tool_calls": [delta]})


def _stream_chunks(reply: Reply, *, include_usage: bool) -> Iterator[dict[str, Any]]:
    yield _chunk({"role": "assistant", "content": ""})
    step = max(1, reply.text_chunk_chars)
    for start in range(0, len(reply.text), step):
        yield _chunk({"content": reply.text[start : start + step]})
    yield from _tool_call_chunks(reply)
    yield _chunk({}, finish_reason=_finish_reason(reply))
    if include_usage:
        usage_chunk = _chunk({})
        usage_chunk["choices"] = []
        usage_chunk["usage"] = _usage(reply)
        yield usage_chunk


def _usage(reply: Reply) -> dict[str, int]:
    prompt_tokens, completion_tokens = reply.usage
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _completion_body(reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": _call_id(reply, index),
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments_text()},
            }
            for index, call in enumerate(reply.tool_calls)
        ]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": _finish_reason(reply)}],
        "usage": _usage(reply),
    }


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    """A started :class:`FakeOpenAIServer`; fails the test if a request found no script."""
    server = FakeOpenAIServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert server.unscripted_requests == 0, (
        f"{server.unscripted_requests} request(s) reached the fake OpenAI server with no "
        "scripted reply left; script one reply per expected request."
    )
