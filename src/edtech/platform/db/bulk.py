"""Thousands of rows in one INSERT: on PostgreSQL every column is bound as one array (`unnest`).

SQLAlchemy's executemany on asyncpg ("insertmanyvalues") renders batches of 1,000 rows of
`VALUES (...)` with a bind parameter per cell, each processed in Python and each batch a
statement of its own. An urgent announcement to 10,000 guardians inserts ~40,000 rows in its
transaction (recipients, notifications, their attempts and jobs): that cell-by-cell binding was
the largest part of the node's CPU for the commit (docs/benchmarks.md, "An announcement to
10,000 guardians"). Bound as one array per column, asyncpg encodes each column in C and the
statement text is the same for any number of rows (one prepared statement); a value every
row shares (an announcement's title and body) is bound once (`insert_columns`). SQLite keeps
executemany.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.platform.db.engine import dialect_insert

T = TypeVar("T")

_PG = postgresql.dialect()  # type: ignore[no-untyped-call]


async def insert_many(
    session: AsyncSession,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    *,
    skip_conflicts_on: Sequence[str] | None = None,
    returning: str | None = None,
) -> list[Any]:
    """Insert `rows` (each with the same keys, in that order) into `table`, in order.

    `skip_conflicts_on`: the columns of a unique index; a row that would duplicate one is
    skipped (ON CONFLICT DO NOTHING); `()` skips a row that conflicts with any index.
    `returning`: a column whose values for the inserted rows are returned. Columns with a
    Python-side default must be given: none is computed here.
    """
    if not rows:
        return []
    columns = {key: [row[key] for row in rows] for key in rows[0]}
    return await insert_columns(
        session, table, columns, skip_conflicts_on=skip_conflicts_on, returning=returning
    )


async def insert_columns(
    session: AsyncSession,
    table: sa.Table,
    columns: Mapping[str, Sequence[Any]],
    same: Mapping[str, Any] | None = None,
    *,
    skip_conflicts_on: Sequence[str] | None = None,
    returning: str | None = None,
) -> list[Any]:
    """`insert_many` given by column: `columns` a list of values per column (one per row, the
    lists of one length), `same` a value every row has (bound once, not once per row: an
    announcement's title and body for 10,000 notifications are one parameter each)."""
    same = same or {}
    lengths = {len(values) for values in columns.values()}
    if len(lengths) != 1:
        raise ValueError("insert_columns needs columns of one length")
    if not lengths.pop():
        return []
    if session.get_bind().dialect.name != "postgresql":
        keys = list(columns)
        rows = [
            {**same, **dict(zip(keys, values, strict=True))}
            for values in zip(*columns.values(), strict=True)
        ]
        stmt = dialect_insert(session)(table)
        if skip_conflicts_on is not None:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(skip_conflicts_on) or None)
        if returning is None:
            await session.execute(stmt, rows)
            return []
        result = await session.execute(stmt.returning(table.c[returning]), rows)
        return list(result.scalars())
    params: dict[str, Any] = {}
    for i, (key, values) in enumerate(columns.items()):
        column = table.c[key]
        if isinstance(column.type, sa.JSON):
            values = [None if v is None else json.dumps(v) for v in values]
        else:
            _check_utc(column, values)
        params[f"c{i}"] = values
    for i, (key, value) in enumerate(same.items()):
        _check_utc(table.c[key], [value])
        json_column = isinstance(table.c[key].type, sa.JSON)
        params[f"s{i}"] = json.dumps(value) if json_column and value is not None else value
    conflict = None if skip_conflicts_on is None else tuple(skip_conflicts_on)
    statement = _statement(table, tuple(columns), tuple(same), conflict, returning)
    result = await session.execute(statement, params)
    return list(result.scalars()) if returning is not None else []


def among(
    session: AsyncSession, column: sa.ColumnElement[Any], values: Iterable[Any]
) -> sa.ColumnElement[bool]:
    """`column IN (values)` for thousands of values: on PostgreSQL one array parameter (`=
    ANY(:values)`), not a placeholder per value — the same statement text, so one prepared
    statement and plan, for any number of them."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(list(values))
    array = sa.bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
    return column == sa.any_(array)


def any_of(column: sa.ColumnElement[Any], name: str) -> sa.ColumnElement[bool]:
    """`column = ANY(:name)` for a statement built once (PostgreSQL only): the list, bound at
    execution under `name`, is one array — one statement text, so one prepared statement, for
    any number of values, where an expanding `IN` renders one per length (`among` builds the
    same per call, on either dialect)."""
    return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(column.type)))


def padded(values: Sequence[T]) -> list[T]:
    """`values` with its last repeated up to the next power of two, for an `IN` of row
    values (which `among` cannot bind as one array): a statement's text changes with the
    number of its values, and PostgreSQL's driver prepares each text once per connection (100
    kept), so a handful of texts serve every size instead of one per size crowding out the
    hot statements. The values must be non-empty; repeating one changes no `IN`."""
    return [*values, *[values[-1]] * ((1 << (len(values) - 1).bit_length()) - len(values))]


def _check_utc(column: sa.Column[Any], values: Sequence[Any]) -> None:
    if _is_datetime(column) and any(isinstance(v, datetime) and v.tzinfo is None for v in values):
        raise ValueError("naive datetime given to a UTC column")


def _is_datetime(column: sa.Column[Any]) -> bool:
    impl = getattr(column.type, "impl", column.type)
    return isinstance(impl, sa.DateTime)


@lru_cache(maxsize=256)
def _statement(
    table: sa.Table,
    keys: tuple[str, ...],
    same: tuple[str, ...],
    conflict: tuple[str, ...] | None,
    returning: str | None,
) -> sa.TextClause:
    """`INSERT INTO t (a, b, c) SELECT u.a, u.b, CAST(:s0 AS type) FROM unnest(CAST(:c0 AS
    type[]), …) WITH ORDINALITY ORDER BY ord`: the same text, so one prepared statement, for
    any number of rows."""
    arrays, selected = [], []
    for i, key in enumerate(keys):
        column = table.c[key]
        if isinstance(column.type, sa.JSON):  # bound as text, each element cast back
            arrays.append(f"CAST(:c{i} AS text[])")
            selected.append(f"CAST(u.c{i} AS json)")
        else:
            arrays.append(f"CAST(:c{i} AS {_type(column)}[])")
            selected.append(f"u.c{i}")
    for i, key in enumerate(same):
        column = table.c[key]
        if isinstance(column.type, sa.JSON):
            selected.append(f"CAST(CAST(:s{i} AS text) AS json)")
        else:
            selected.append(f"CAST(:s{i} AS {_type(column)})")
    names = ", ".join(_quote(k) for k in (*keys, *same))
    aliases = ", ".join(f"c{i}" for i in range(len(keys)))
    sql = (
        f"INSERT INTO {_quote(table.name)} ({names})\n"
        f"SELECT {', '.join(selected)}\n"
        f"FROM unnest({', '.join(arrays)}) WITH ORDINALITY AS u({aliases}, ord)\n"
        "ORDER BY u.ord"
    )
    if conflict:
        sql += f"\nON CONFLICT ({', '.join(_quote(c) for c in conflict)}) DO NOTHING"
    elif conflict is not None:
        sql += "\nON CONFLICT DO NOTHING"
    if returning is not None:
        sql += f"\nRETURNING {_quote(returning)}"
    return sa.text(sql)


def _type(column: sa.Column[Any]) -> str:
    return str(column.type.compile(dialect=_PG))


def _quote(name: str) -> str:
    return str(_PG.identifier_preparer.quote(name))
