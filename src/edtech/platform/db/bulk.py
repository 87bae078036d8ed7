"""Thousands of rows in one INSERT: on PostgreSQL every column is bound as one array (`unnest`).

SQLAlchemy's executemany on asyncpg ("insertmanyvalues") renders batches of 1,000 rows of
`VALUES (...)` with a bind parameter per cell, each processed in Python and each batch a
statement of its own. An urgent announcement to 10,000 guardians inserts ~40,000 rows in its
transaction (recipients, notifications, their attempts and jobs): that cell-by-cell binding was
the largest part of the node's CPU for the commit (docs/benchmarks.md, "An announcement to
10,000 guardians"). Bound as one array per column, asyncpg encodes each column in C and the
statement text is the same for any number of rows (one prepared statement); a value every
row shares (an announcement's title and body) is bound once (`insert_columns`). Rows of
several tables that belong together — notifications, their attempts and their jobs — go in
one statement (`insert_together`). SQLite keeps executemany, a statement per table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.platform.db.driver import DriverStatement
from edtech.platform.db.engine import dialect_insert

T = TypeVar("T")
Shape = tuple[sa.Table, tuple[str, ...], tuple[str, ...], tuple[str, ...] | None]
"""An INSERT's text as `_insert_sql` writes it: table, columns, columns bound once, conflict."""

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
    params = _params(table, columns, same)
    conflict = None if skip_conflicts_on is None else tuple(skip_conflicts_on)
    statement = _statement(table, tuple(columns), tuple(same), conflict, returning)
    inserted = await statement.rows(session, params)
    return [row[0] for row in inserted] if returning is not None else []


async def insert_rows(session: AsyncSession, rows: Rows, returning: str | None = None) -> list[Any]:
    """`insert_columns` of `rows`."""
    return await insert_columns(
        session,
        rows.table,
        rows.columns,
        rows.same,
        skip_conflicts_on=rows.skip_conflicts_on,
        returning=returning,
    )


@dataclass(frozen=True)
class Rows:
    """One table's rows for `insert_together`, given by column as `insert_columns` takes them."""

    table: sa.Table
    columns: Mapping[str, Sequence[Any]]
    same: Mapping[str, Any] = field(default_factory=dict)
    skip_conflicts_on: Sequence[str] | None = None

    def __len__(self) -> int:
        lengths = {len(values) for values in self.columns.values()}
        if len(lengths) != 1:
            raise ValueError("Rows needs columns of one length")
        return lengths.pop()

    def shape(self) -> Shape:
        conflict = None if self.skip_conflicts_on is None else tuple(self.skip_conflicts_on)
        return self.table, tuple(self.columns), tuple(self.same), conflict


async def insert_together(
    session: AsyncSession, first: Rows, returning: str, then: Sequence[Rows]
) -> list[Any]:
    """Insert `first` (a row that conflicts skipped, as its `skip_conflicts_on` says) and, only
    if every one of its rows was inserted, each of `then` — on PostgreSQL in one statement (a
    data-modifying WITH; a row of `then` may reference one of `first`). Returns `returning` of
    each row of `first` inserted: when fewer than `len(first)`, nothing of `then` was inserted.

    What a notification and its attempts and jobs cost: one round trip instead of three (the
    rows of `then` are planned for every row of `first`, which is new unless its event was
    raised before). Elsewhere (SQLite) one statement per table, `then` skipped as above."""
    planned = len(first)
    if not planned:
        return []
    then = [rows for rows in then if len(rows)]
    if session.get_bind().dialect.name != "postgresql":
        inserted = await insert_rows(session, first, returning)
        if len(inserted) == planned:
            for rows in then:
                await insert_rows(session, rows)
        return inserted
    params: dict[str, Any] = {"planned": planned}
    for n, rows in enumerate((first, *then)):
        params.update(_params(rows.table, rows.columns, rows.same, f"t{n}_"))
    statement = _together(first.shape(), returning, tuple(rows.shape() for rows in then))
    return [row[0] for row in await statement.rows(session, params)]


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


def among_bound(
    column: sa.ColumnElement[Any], name: str, *, postgresql: bool
) -> sa.ColumnElement[bool]:
    """`column` among the list bound at execution under `name`, for a statement built once per
    dialect: on PostgreSQL one array (`any_of`), elsewhere an expanding `IN`."""
    if postgresql:
        return any_of(column, name)
    return column.in_(sa.bindparam(name, expanding=True))


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


def _params(
    table: sa.Table, columns: Mapping[str, Sequence[Any]], same: Mapping[str, Any], prefix: str = ""
) -> dict[str, Any]:
    """The bound values of `_insert_sql`'s statement: one array per column, one value per
    `same`; JSON as text, UTC datetimes checked."""
    params: dict[str, Any] = {}
    for i, (key, values) in enumerate(columns.items()):
        column = table.c[key]
        if isinstance(column.type, sa.JSON):
            values = [None if v is None else json.dumps(v) for v in values]
        else:
            _check_utc(column, values)
        params[f"{prefix}c{i}"] = values
    for i, (key, value) in enumerate(same.items()):
        _check_utc(table.c[key], [value])
        json_column = isinstance(table.c[key].type, sa.JSON)
        params[f"{prefix}s{i}"] = json.dumps(value) if json_column and value is not None else value
    return params


@lru_cache(maxsize=256)
def _statement(
    table: sa.Table,
    keys: tuple[str, ...],
    same: tuple[str, ...],
    conflict: tuple[str, ...] | None,
    returning: str | None,
) -> DriverStatement:
    """`INSERT INTO t (a, b, c) SELECT u.a, u.b, CAST(:s0 AS type) FROM unnest(CAST(:c0 AS
    type[]), …) WITH ORDINALITY ORDER BY ord`: the same text, so one prepared statement, for
    any number of rows; sent on the driver connection (ADR-0023)."""
    sql = _insert_sql(table, keys, same, conflict)
    if returning is not None:
        sql += f"\nRETURNING {_quote(returning)}"
    return DriverStatement(sa.text(sql))


@lru_cache(maxsize=64)
def _together(first: Shape, returning: str, then: tuple[Shape, ...]) -> DriverStatement:
    """`WITH t0 AS (INSERT … RETURNING r), t1 AS (INSERT … WHERE (SELECT count(*) FROM t0) =
    :planned), … SELECT r FROM t0` (`insert_together`), each INSERT as `_statement`'s with its
    own prefix."""
    parts = [f"t0 AS (\n{_insert_sql(*first, prefix='t0_')}\nRETURNING {_quote(returning)}\n)"]
    for n, shape in enumerate(then, start=1):
        where = "(SELECT count(*) FROM t0) = :planned"
        parts.append(f"t{n} AS (\n{_insert_sql(*shape, prefix=f't{n}_', where=where)}\n)")
    return DriverStatement(sa.text(f"WITH {', '.join(parts)}\nSELECT {_quote(returning)} FROM t0"))


def _insert_sql(
    table: sa.Table,
    keys: tuple[str, ...],
    same: tuple[str, ...],
    conflict: tuple[str, ...] | None,
    prefix: str = "",
    where: str | None = None,
) -> str:
    arrays, selected = [], []
    for i, key in enumerate(keys):
        column = table.c[key]
        if isinstance(column.type, sa.JSON):  # bound as text, each element cast back
            arrays.append(f"CAST(:{prefix}c{i} AS text[])")
            selected.append(f"CAST(u.c{i} AS json)")
        else:
            arrays.append(f"CAST(:{prefix}c{i} AS {_type(column)}[])")
            selected.append(f"u.c{i}")
    for i, key in enumerate(same):
        column = table.c[key]
        if isinstance(column.type, sa.JSON):
            selected.append(f"CAST(CAST(:{prefix}s{i} AS text) AS json)")
        else:
            selected.append(f"CAST(:{prefix}s{i} AS {_type(column)})")
    names = ", ".join(_quote(k) for k in (*keys, *same))
    aliases = ", ".join(f"c{i}" for i in range(len(keys)))
    sql = (
        f"INSERT INTO {_quote(table.name)} ({names})\n"
        f"SELECT {', '.join(selected)}\n"
        f"FROM unnest({', '.join(arrays)}) WITH ORDINALITY AS u({aliases}, ord)\n"
        + (f"WHERE {where}\n" if where else "")
        + "ORDER BY u.ord"
    )
    if conflict:
        sql += f"\nON CONFLICT ({', '.join(_quote(c) for c in conflict)}) DO NOTHING"
    elif conflict is not None:
        sql += "\nON CONFLICT DO NOTHING"
    return sql


def _type(column: sa.Column[Any]) -> str:
    return str(column.type.compile(dialect=_PG))


def _quote(name: str) -> str:
    return str(_PG.identifier_preparer.quote(name))
