"""Fixtures of the platform's database tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.platform.db.engine import make_engine, make_session_factory


@pytest.fixture
async def factory(
    database_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on `database_url`, with the test module's own tables (its `test_metadata`)
    created before the test and dropped after it."""
    metadata: sa.MetaData = request.module.test_metadata
    engine = make_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield make_session_factory(engine)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
    await engine.dispose()
