"""One worker thread per speech model, running the most urgent request first.

On a two-core machine, running several Whisper or piper inferences at once makes each one
slower, and every concurrent piper run grows ONNX Runtime's memory by up to 150 MB. Each
model therefore gets a single thread that serves requests one at a time, in priority order:
the first sentence of a reply (which the caller is waiting for) before later sentences of
other replies. A request whose caller gave up (a barge-in cancelled it) is skipped.

After each request the worker has glibc return free memory to the system
(``malloc_trim``). Otherwise memory freed on a thread other than the main one stays in that
thread's malloc arena, which kept about 80 MB after a few piper sentences.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

URGENT = 0
"""Priority of work a caller is waiting for now."""
LATER = 1
"""Priority of work that can wait behind urgent requests."""


@dataclass(order=True)
class _Job:
    priority: int
    sequence: int
    function: Callable[[], Any] = field(compare=False)
    future: asyncio.Future[Any] = field(compare=False)
    loop: asyncio.AbstractEventLoop = field(compare=False)


class PriorityWorker:
    """A daemon thread that runs submitted functions one at a time, most urgent first.

    Args:
        name: The thread's name, for debugging.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._queue: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._sequence = itertools.count()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def run(self, function: Callable[[], T], *, priority: int = URGENT) -> T:
        """Run ``function`` on the worker thread and return its result.

        Raises:
            Exception: Whatever ``function`` raised.
        """
        self._ensure_thread()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Job(priority, next(self._sequence), function, future, loop))
        return await future

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        while True:
            job = self._queue.get()
            if job.future.cancelled():
                continue
            try:
                result = job.function()
            except Exception as error:  # handed to the awaiting coroutine, which handles it
                self._deliver(job, _set_exception, error)
            else:
                self._deliver(job, _set_result, result)
            release_free_memory()

    def _deliver(
        self, job: _Job, setter: Callable[[asyncio.Future[Any], Any], None], value: Any
    ) -> None:
        try:
            job.loop.call_soon_threadsafe(setter, job.future, value)
        except RuntimeError:
            # The requesting event loop has closed (its server shut down), so no coroutine waits.
            logger.debug("Dropped a %s result for a closed event loop", self._name)


def _set_result(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)


def _set_exception(future: asyncio.Future[Any], error: Exception) -> None:
    if not future.done():
        future.set_exception(error)


@functools.cache
def _load_malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None
    return trim


def release_free_memory() -> None:
    """Return the calling thread's free heap memory to the system, where glibc allows it."""
    trim = _load_malloc_trim()
    if trim is not None:
        trim(0)
