"""A real uvicorn server on a loopback port, in the test's event loop, and the tests' secret.

Test helpers live in modules like this one and are imported from there; a `conftest.py` holds
fixtures only and is never imported by a test.
"""

from __future__ import annotations

import asyncio
import contextlib

import uvicorn
from fastapi import FastAPI

from edtech.platform.serving import bind_socket, uvicorn_config

TEST_SECRET = "test-secret-key-not-for-production"


class LiveServer:
    """A real uvicorn server on a free loopback port, running in the test's event loop."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.sock = bind_socket()
        port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn_config(app, port=port))
        self.server.capture_signals = _no_signal_capture  # type: ignore[method-assign]
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self.server.serve(sockets=[self.sock]))
        while not self.server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task is not None:
            await self._task
        self.sock.close()


def _no_signal_capture() -> object:
    return contextlib.nullcontext()
