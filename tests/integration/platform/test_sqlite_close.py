"""A SQLite connection closed in the middle of a statement (its task was cancelled between
running the statement and fetching its rows) does not keep the database's write lock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from edtech.platform.db.engine import _ReleasingConnection, make_engine

# A writer that would wait out a lingering lock fails fast instead of waiting 30 s.
OTHER_WRITER_WAITS = 0.5

UNFINISHED = {
    # Python's sqlite3 opens no BEGIN for it: the statement is its own transaction.
    "cte-update-returning": (
        "WITH due AS (SELECT x FROM t) UPDATE t SET x = x + 10 WHERE x IN (SELECT x FROM due) "
        "RETURNING x"
    ),
    # Inside the BEGIN Python's sqlite3 opens for it.
    "insert-returning": "INSERT INTO t (x) VALUES (99) RETURNING x",
}


@pytest.mark.parametrize("statement", list(UNFINISHED.values()), ids=list(UNFINISHED))
async def test_a_connection_closed_mid_statement_lets_the_next_writer_in(
    tmp_path: Path, statement: str
) -> None:
    path = tmp_path / "db.sqlite"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
            await conn.execute(sa.text("INSERT INTO t (x) VALUES (1), (2), (3)"))
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            cursor = await raw.driver_connection.cursor()  # type: ignore[union-attr]
            await cursor.execute(statement)  # run, its rows never fetched
            # What SQLAlchemy does to a connection whose statement was cancelled: close it.
            await conn.invalidate()
            other = sqlite3.connect(path, timeout=OTHER_WRITER_WAITS)
            try:
                other.execute("INSERT INTO t (x) VALUES (4)")
                other.commit()
                rows = sorted(x for (x,) in other.execute("SELECT x FROM t"))
            finally:
                other.close()
            del cursor  # alive until here, as a cancelled task keeps it
    finally:
        await engine.dispose()
    if statement.startswith("INSERT"):
        assert rows == [1, 2, 3, 4]  # the unfinished transaction was rolled back
    else:
        assert rows == [4, 11, 12, 13]  # the statement was its own transaction: it stands


def test_closing_twice_does_nothing_the_second_time(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "db.sqlite", factory=_ReleasingConnection)
    connection.cursor().execute("SELECT 1")
    connection.close()
    connection.close()  # as with any sqlite3 connection
