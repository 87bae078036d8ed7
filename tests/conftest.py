"""Fixtures shared by every test: databases on both dialects, an app, a real HTTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from edtech.app import create_app
from edtech.settings import Settings
from tests import databases
from tests.servers import TEST_SECRET, LiveServer
from tests.services import REDIS_URL, need

pytest_plugins = [
    "tests.roster",
    "tests.smtp",
    "tests.oidc_provider",
    "tests.watchdog",
    "tests.contract.frames",
    "tests.midnight",
]


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
