"""Serve the app inside the current process, for the simulated phone, tests and benchmarks."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI


def bind_local_socket(host: str = "127.0.0.1") -> socket.socket:
    """Return a listening TCP socket on a free port of ``host``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(128)
    return sock


def socket_url(sock: socket.socket) -> str:
    """Return the ``http://host:port`` URL of a bound socket."""
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@asynccontextmanager
async def running_server(app: FastAPI, sock: socket.socket) -> AsyncIterator[str]:
    """Run ``app`` with uvicorn on ``sock`` (lifespan included) and yield its URL.

    Raises:
        RuntimeError: When the server stops before it has started, such as when the app's
            lifespan fails.
    """
    config = uvicorn.Config(app, log_config=None, lifespan="on", ws_max_size=1 << 20)
    server = uvicorn.Server(config)
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                raise RuntimeError("The in-process server stopped while starting.")
            await asyncio.sleep(0.02)
        yield socket_url(sock)
    finally:
        server.should_exit = True
        await task
