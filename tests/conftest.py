"""Fixtures shared by every test: databases on both dialects, an app, a real HTTP server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from edtech.app import create_app
from edtech.platform.serving import bind_socket, uvicorn_config
from edtech.settings import Settings
from tests import databases
from tests.services import REDIS_URL, need

pytest_plugins = ["tests.roster", "tests.smtp", "tests.watchdog"]

TEST_SECRET = "test-secret-key-not-for-production"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.make_sqlite_template(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    need("PostgreSQL")
    url = databases.create_postgres_database()
    yield url
    databases.drop_postgres_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> str:
    """A migrated, empty database: each test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return databases.fresh_sqlite(sqlite_template, tmp_path)
    url: str = request.getfixturevalue("postgres_database")
    await databases.truncate_all(url)
    return url


@pytest.fixture
def redis_url() -> str:
    need("Redis")
    return REDIS_URL


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        broker_url="memory://",
        secret_key=TEST_SECRET,
        log_json=True,
        log_level="WARNING",
        background_jobs=False,  # tests drive the scheduled jobs themselves, on their own clock
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


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
    import contextlib

    return contextlib.nullcontext()


@pytest.fixture
async def live_server(app: FastAPI) -> AsyncIterator[LiveServer]:
    server = LiveServer(app)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def client(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the live server over real TCP."""
    async with httpx.AsyncClient(base_url=live_server.url, timeout=60) as c:
        yield c
