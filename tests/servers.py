"""A real uvicorn server on a loopback port, in the test's event loop, and the tests' secret.

Test helpers live in modules like this one and are imported from there; a `conftest.py` holds
fixtures only and is never imported by a test.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

from edtech.platform.serving import bind_socket, uvicorn_config
from edtech.settings import Settings

TEST_SECRET = "test-secret-key-not-for-production"
STOP_WITHIN = 60.0
"""Seconds a test server may take to stop (uvicorn's graceful timeout is 10, the lifespan's
parts are bounded by a few seconds each)."""


def one_connection_node(database_url: str) -> Settings:
    """A node's settings with a single pooled database connection: holding it drains the pool,
    and every session the node opens in turn gets the same one."""
    return Settings(
        database_url=database_url,
        broker_url="memory://",
        secret_key=TEST_SECRET,
        log_level="WARNING",
        background_jobs=False,
        db_pool_size=1,
    )


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

    async def stop(self, within: float = STOP_WITHIN) -> None:
        """Shut the server down as SIGTERM would; one that has not stopped `within` seconds
        fails the test with every asyncio task's stack (what it waits for), never hangs it."""
        self.server.should_exit = True
        if self._task is not None:
            done, _ = await asyncio.wait({self._task}, timeout=within)
            if not done:
                stacks = _task_stacks()
                self.server.force_exit = True
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
                self.sock.close()
                raise RuntimeError(f"uvicorn did not stop within {within} s; tasks:\n{stacks}")
            self._task.result()
        self.sock.close()


def _task_stacks() -> str:
    out = io.StringIO()
    for task in asyncio.all_tasks():
        task.print_stack(limit=12, file=out)
    return out.getvalue()


@contextlib.contextmanager
def _no_signal_capture() -> Iterator[None]:
    """The test's event loop keeps its own signal handlers (uvicorn would install its own)."""
    yield
