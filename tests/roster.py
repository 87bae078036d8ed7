"""Roster fixtures shared by every slice's tests: a small demo school, a second tenant, logins.

* `demo`: seeds `edtech.demo.SMALL` into the test database and returns its `DemoSummary`
  (teacher1 teaches S01 with student1, whose guardian is guardian1; see the demo README).
* `other_institution`: a second tenant ("Other Academy") for isolation tests.
* `session`: an open `AsyncSession` on this test's database (for asking the roster directly);
  `session_factory`: sessions on it, for a test that opens several (units of work).
* `await login(client, email)`: the `Authorization` header of a signed-in demo user.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.demo import (
    DEMO_PASSWORD,
    SMALL,
    DemoSummary,
    OtherSummary,
    seed_demo,
    seed_other_institution,
)
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.security.passwords import hash_password
from edtech.settings import Settings


@pytest.fixture(scope="session")
def demo_password_hash() -> str:
    """One argon2 hash of the demo password for the whole run (hashing is slow on purpose)."""
    return hash_password(DEMO_PASSWORD)


@pytest.fixture
async def demo(settings: Settings, demo_password_hash: str) -> DemoSummary:
    """The SMALL demo school in this test's database."""
    engine = make_engine(settings.database_url)
    try:
        return await seed_demo(
            make_session_factory(engine), SMALL, password_hash=demo_password_hash
        )
    finally:
        await engine.dispose()


@pytest.fixture
async def session_factory(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on this test's database, on an engine of the test's own."""
    engine = make_engine(settings.database_url)
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """An open session on this test's database (a test that defines its own keeps that one)."""
    async with session_factory() as s:
        yield s


@pytest.fixture
async def other_institution(settings: Settings, demo_password_hash: str) -> OtherSummary:
    """A second tenant in this test's database: admin@, teacher@, student@, guardian@other.test."""
    engine = make_engine(settings.database_url)
    try:
        return await seed_other_institution(
            make_session_factory(engine), password_hash=demo_password_hash
        )
    finally:
        await engine.dispose()


async def login(
    client: httpx.AsyncClient, email: str, password: str = DEMO_PASSWORD
) -> dict[str, str]:
    """Sign in with the OAuth2 password flow; returns the bearer `Authorization` header."""
    r = await client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert r.status_code == 200, f"login of {email} failed: {r.status_code} {r.text}"
    body = r.json()
    assert body["token_type"].lower() == "bearer"
    return {"Authorization": f"Bearer {body['access_token']}"}
