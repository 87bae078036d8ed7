"""Async engine and session factory for SQLite (embedded) and PostgreSQL (scaled)."""

from __future__ import annotations

import contextlib
import sqlite3
import time
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


POOL_TIMEOUT = 10.0
"""Seconds a checkout waits for a pooled connection before `sqlalchemy.exc.TimeoutError`
(answered as a 503 `database_busy` problem with `Retry-After`)."""


def make_engine(url: str, *, echo: bool = False, pool_size: int = 20) -> AsyncEngine:
    """Create the engine; SQLite gets foreign keys, WAL and a busy timeout on every connection.

    PostgreSQL gets a steady pool of `pool_size` connections and **no overflow**: every
    connection the pool opens, it keeps. An overflow connection is closed when it is returned
    while the steady pool is full, so a node serving more requests at once than its steady size
    opened and closed a backend per request beyond it (fork, authentication, and asyncpg's
    prepared statements planned again with cold catalog caches: 0.63 ms of PostgreSQL CPU for
    the outbox statement's first plan, 0.05 ms once cached). A checkout beyond `pool_size`
    waits for a returned connection, up to `POOL_TIMEOUT`. Last in, first out: under light
    load the same few connections serve every request and stay warm, the rest sit idle (and
    are pinged once before reuse, see `_ping_when_idle`) instead of all going cold in turn.

    A SQLite connection releases its locks when it closes (`_ReleasingConnection`).
    """
    if is_sqlite(url):
        engine = create_async_engine(
            url, echo=echo, connect_args={"timeout": 30, "factory": _ReleasingConnection}
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=POOL_TIMEOUT,
        pool_use_lifo=True,
    )
    _ping_when_idle(engine)
    return engine


class _ReleasingConnection(sqlite3.Connection):
    """A SQLite connection that lets go of the database's write lock when it closes.

    SQLite closes a connection only once every statement on it is done; until then the closed
    connection lingers and keeps its locks. A task cancelled between running a statement and
    fetching its rows (a node stopping mid-query) leaves such a statement behind, its cursor
    kept alive by the cancelled task, and SQLAlchemy closes the connection. When that statement
    was a write, every other writer then waited out its 30 s busy timeout: a worker told to
    stop took 30 s or more to exit. So a closing connection first closes its cursors, then
    rolls back its transaction.

    A `WITH … UPDATE … RETURNING` that is a transaction's first write (the job claim) is a
    case of its own: Python's sqlite3 opens no BEGIN for a statement that starts with WITH, so
    the statement is its own transaction, which ends, committed, when its cursor closes. The
    jobs such an interrupted claim took stay with this node until their lease runs out.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cursors: weakref.WeakSet[sqlite3.Cursor] = weakref.WeakSet()

    def cursor(self, factory: Any = sqlite3.Cursor) -> Any:
        cursor = super().cursor(factory)
        self._cursors.add(cursor)
        return cursor

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        cursor: sqlite3.Cursor = self.cursor()  # through `cursor`, so that it is tracked
        return cursor.execute(sql, parameters)

    def close(self) -> None:
        # Each step on its own: the connection closes regardless (and a second close, as with
        # any sqlite3 connection, does nothing).
        for cursor in list(self._cursors):
            with contextlib.suppress(sqlite3.Error):
                cursor.close()
        with contextlib.suppress(sqlite3.Error):
            self.rollback()
        super().close()


IDLE_BEFORE_PING = 10.0
"""Seconds a pooled connection may sit unused before it is checked on checkout."""


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Check a pooled connection on checkout only if it sat unused for `IDLE_BEFORE_PING`.

    SQLAlchemy's `pool_pre_ping` checks every checkout, and asyncpg's ping is three round trips
    (BEGIN, `;`, ROLLBACK): 1.2 ms of a node's CPU per recorded scan. A connection used moments
    ago is as good as the transaction that used it; one idle for a while may have been cut by a
    database restart or a proxy's idle timeout, and is replaced before anyone gets it. (Should a
    busy connection meet a restart, that transaction fails with a disconnect, and SQLAlchemy
    then drops every connection of the pool.)
    """
    pool = engine.sync_engine

    @event.listens_for(pool, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("checked_in_at")
        if since is None or time.monotonic() - since < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the pool replaces it with a fresh connection
            raise DisconnectionError("idle connection is gone") from exc


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after commit without lazy I/O in async code.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def make_read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads only (`Services.reads`): on PostgreSQL each statement in autocommit,
    outside any transaction.

    At PostgreSQL's READ COMMITTED every statement of a transaction reads its own fresh
    snapshot anyway, so a transaction around reads adds nothing but two round trips — BEGIN
    (asyncpg sends it alone, before the first statement) and the ROLLBACK when the session
    closes: the sign-in check of every authenticated request paid both, on a connection of
    its own. A read session must not write (it never commits; use a unit of work) nor lock
    rows (`FOR UPDATE` ends with its statement). SQLite keeps its transaction: there a read
    transaction is what gives the statements one snapshot, and no round trip is paid."""
    if engine.dialect.name == "sqlite":
        return make_session_factory(engine)
    return make_session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))


def dialect_insert(session: AsyncSession) -> Any:
    """The session's dialect's INSERT construct: both have ON CONFLICT (DO NOTHING / DO UPDATE,
    spelt alike), which the generic `sa.insert` lacks."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
