"""The drain phase of a node's stop, in process: readiness turns red first, the server keeps
answering for the drain delay, then websockets drain, then it exits."""

from __future__ import annotations

import asyncio
import signal
import time
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from edtech.platform.serving import bind_socket, uvicorn_config
from edtech.topology.graceful import GracefulServer, LifecycleSettings


def make_app(events: list[tuple[str, float]]) -> FastAPI:
    app = FastAPI()
    app.state.services = SimpleNamespace(draining=False)

    class FakeRealtime:
        async def drain(self) -> None:
            events.append(("drained", time.monotonic()))

    app.state.realtime = FakeRealtime()

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        draining = app.state.services.draining
        return JSONResponse({"draining": draining}, status_code=503 if draining else 200)

    return app


async def start(server: GracefulServer, sock: object) -> asyncio.Task[None]:
    server.capture_signals = _no_signals  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not task.done(), task
        await asyncio.sleep(0.01)
    return task


def _no_signals() -> object:
    import contextlib

    return contextlib.nullcontext()


async def test_sigterm_turns_readiness_red_then_drains_then_exits() -> None:
    events: list[tuple[str, float]] = []
    sock = bind_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = make_app(events)
    server = GracefulServer.for_app(uvicorn_config(app), drain_delay=0.6)
    task = await start(server, sock)
    async with asyncio.timeout(10), httpx.AsyncClient(base_url=url, timeout=2) as client:
        assert (await client.get("/readyz")).status_code == 200

        signalled = time.monotonic()
        server.handle_exit(signal.SIGTERM, None)
        await asyncio.sleep(0.05)
        # Still listening, but not ready: the proxy's next health check takes the node out.
        during = await client.get("/readyz")
        assert during.status_code == 503
        assert events == []

        await task
    sock.close()

    assert [name for name, _ in events] == ["drained"]
    assert events[0][1] - signalled >= 0.6
    assert server.should_exit


async def test_a_second_signal_cuts_the_drain_short() -> None:
    events: list[tuple[str, float]] = []
    sock = bind_socket()
    server = GracefulServer.for_app(uvicorn_config(make_app(events)), drain_delay=30)
    task = await start(server, sock)
    async with asyncio.timeout(10):
        server.handle_exit(signal.SIGTERM, None)
        await asyncio.sleep(0.05)
        assert server.drain_task is not None
        server.handle_exit(signal.SIGTERM, None)
        await task
        server.drain_task.cancel()
    sock.close()
    assert events == []


def test_lifecycle_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDTECH_DRAIN_DELAY_SECONDS", "1.5")
    monkeypatch.setenv("EDTECH_SHUTDOWN_GRACE_SECONDS", "7")
    monkeypatch.setenv("EDTECH_STARTUP_WAIT_SECONDS", "12")
    lifecycle = LifecycleSettings()
    assert (lifecycle.drain_delay_seconds, lifecycle.shutdown_grace_seconds) == (1.5, 7)
    assert lifecycle.startup_wait_seconds == 12
