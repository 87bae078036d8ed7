"""Pooled PostgreSQL connections: one that sat idle is checked before use and replaced if the
server dropped it; one in steady use is not checked at all (no extra round trips); the pool
keeps every connection it opens (no overflow connections opened and closed per request); a
request that finds none free in time gets a 503 problem."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from edtech.app import create_app
from edtech.platform.db import engine as engine_module
from edtech.platform.db.engine import make_engine
from tests.servers import LiveServer, one_connection_node
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


async def test_the_pool_keeps_every_connection_it_opens(postgres_database: str) -> None:
    """More checkouts at once than the steady size wait for a returned connection: none is
    opened beyond it only to be closed on return (a new backend per request plans every
    statement again with cold caches)."""
    need("PostgreSQL")
    engine = make_engine(postgres_database, pool_size=2)
    opened: list[object] = []
    closed: list[object] = []
    sa.event.listen(engine.sync_engine, "connect", lambda conn, _record: opened.append(conn))
    sa.event.listen(engine.sync_engine, "close", lambda conn, _record: closed.append(conn))
    try:
        first, second = await engine.connect(), await engine.connect()
        await first.execute(sa.text("SELECT 1"))  # in a transaction: returning it is I/O
        third = asyncio.create_task(backend_pid(engine))  # a third request, both in use
        for _ in range(3):  # let it ask the pool (with overflow, it starts connecting)
            await asyncio.sleep(0)
        await first.close()  # returned while the third waits
        pid = await third
        await second.close()
        assert len(opened) == 2, "a connection was opened beyond the steady pool"
        assert closed == []
        assert engine.pool.checkedin() == 2
        async with engine.connect() as one, engine.connect() as two:  # the same two backends
            pids = [
                (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
                for conn in (one, two)
            ]
        assert pid in pids
        assert len(opened) == 2
    finally:
        await engine.dispose()


async def test_a_request_that_gets_no_connection_in_time_is_a_503_problem(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    need("PostgreSQL")
    monkeypatch.setattr(engine_module, "POOL_TIMEOUT", 0.2)
    app = create_app(one_connection_node(postgres_database))
    server = LiveServer(app)
    await server.start()
    try:
        engine = app.state.services.engine
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            async with engine.connect():  # the node's only connection, in use throughout
                busy = await http.post(
                    "/api/v1/auth/token", data={"username": "a@b.test", "password": "x"}
                )
            assert busy.status_code == 503, busy.text
            assert busy.headers["content-type"] == "application/problem+json"
            assert busy.headers["retry-after"] == "1"
            assert busy.json()["code"] == "database_busy"
            free = await http.post(
                "/api/v1/auth/token", data={"username": "a@b.test", "password": "x"}
            )
            assert free.status_code != 503, free.text
    finally:
        await server.stop()


async def in_transaction(session: Any) -> bool:
    """Whether the session's PostgreSQL connection is inside a transaction now."""
    connection = await (await session.connection()).get_raw_connection()
    return bool(connection.driver_connection.is_in_transaction())


async def test_a_read_session_runs_outside_a_transaction_and_hands_back_a_plain_connection(
    postgres_database: str,
) -> None:
    """A node's read sessions (the sign-in check of every request, the read models) send no
    BEGIN and no ROLLBACK: at READ COMMITTED each statement reads a fresh snapshot anyway. The
    pooled connection they used comes back to a unit of work transactional again."""
    need("PostgreSQL")
    # one connection: the read session and the unit of work get the same one in turn
    services = create_app(one_connection_node(postgres_database)).state.services
    try:
        async with services.reads() as session:
            first = await session.scalar(sa.text("SELECT statement_timestamp()"))
            assert not await in_transaction(session)
            await asyncio.sleep(0.01)
            # each statement its own transaction: a transaction's statements share its start
            started = await session.scalar(sa.text("SELECT transaction_timestamp()"))
            assert started > first
        async with services.session_factory() as session:
            await session.execute(sa.text("SELECT 1"))
            assert await in_transaction(session)
            await session.rollback()
        async with services.uow() as uow:
            await uow.session.execute(sa.text("SELECT 1"))
            assert await in_transaction(uow.session)
    finally:
        await services.engine.dispose()
