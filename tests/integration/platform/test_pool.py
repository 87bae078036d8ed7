"""Pooled PostgreSQL connections: one that sat idle is checked before use and replaced if the
server dropped it; one in steady use is not checked at all (no extra round trips)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from edtech.platform.db import engine as engine_module
from edtech.platform.db.engine import make_engine
from tests.services import need

pytestmark = pytest.mark.postgres


async def backend_pid(engine: Any) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one())


async def test_an_idle_connection_the_server_dropped_is_replaced_unnoticed(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    need("PostgreSQL")
    engine = make_engine(postgres_database, pool_size=1)
    other = make_engine(postgres_database, pool_size=1)
    try:
        first = await backend_pid(engine)
        async with other.connect() as conn:  # as a database restart would
            await conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        monkeypatch.setattr(engine_module, "IDLE_BEFORE_PING", 0.0)  # it has been idle "long"
        second = await backend_pid(engine)
        assert second != first
    finally:
        await engine.dispose()
        await other.dispose()


async def test_a_connection_in_steady_use_is_not_pinged(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    need("PostgreSQL")
    engine = make_engine(postgres_database, pool_size=1)
    pings: list[object] = []
    ping = engine.dialect.do_ping

    def counting_ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return bool(ping(dbapi_connection))

    monkeypatch.setattr(engine.dialect, "do_ping", counting_ping)
    try:
        for _ in range(5):
            await backend_pid(engine)
        assert pings == []  # asyncpg's ping is BEGIN, ";", ROLLBACK: three round trips
        monkeypatch.setattr(engine_module, "IDLE_BEFORE_PING", 0.0)
        await backend_pid(engine)
        assert len(pings) == 1
    finally:
        await engine.dispose()
