"""A node with the product demo seeded, served by uvicorn on its own thread and event loop.

Schemathesis calls the API synchronously (requests); a server on the test's own event loop
would sit blocked under those calls, so this one runs its loop in a thread of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

import httpx
import uvicorn

from edtech.app import create_app
from edtech.demo import DEMO_PASSWORD, SMALL
from edtech.demo_product import seed_product_demo
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.serving import bind_socket, uvicorn_config
from edtech.settings import Settings


class ThreadedNode:
    """Seed the demo into `settings.database_url`, then serve a node built from `settings`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sock = bind_socket()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.openapi: dict[str, Any] = {}
        self.logins: dict[str, dict[str, str]] = {}
        """`Authorization` headers by role, signed in by the test that starts the node."""
        self._server: uvicorn.Server | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="contract-node", daemon=True)

    def start(self, timeout: float = 120) -> None:
        self._thread.start()
        if not self._started.wait(timeout) or self._error is not None:
            self.stop()
            raise RuntimeError(f"the node did not start: {self._error!r}")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(60)
        self.sock.close()

    def bearer(self, email: str) -> dict[str, str]:
        """The `Authorization` header of a demo login."""
        r = httpx.post(
            f"{self.url}/api/v1/auth/token",
            data={"username": email, "password": DEMO_PASSWORD},
            timeout=30,
        )
        assert r.status_code == 200, f"login of {email} failed: {r.status_code} {r.text}"
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # the test thread reports it
            self._error = exc
            self._started.set()

    async def _main(self) -> None:
        engine = make_engine(self.settings.database_url)
        try:
            await seed_product_demo(make_session_factory(engine), SMALL)
        finally:
            await engine.dispose()
        app = create_app(self.settings)
        self.openapi = app.openapi()
        server = uvicorn.Server(uvicorn_config(app, port=self.sock.getsockname()[1]))
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
        self._server = server
        serving = asyncio.create_task(server.serve(sockets=[self.sock]))
        while not server.started and not serving.done():
            await asyncio.sleep(0.01)
        self._started.set()
        await serving
