"""A hot statement sent straight to asyncpg, in the session's transaction (PostgreSQL).

Through an `AsyncSession`, a statement costs the node ~100 µs of CPU where asyncpg alone spends
~30 µs (`uv run python -m bench.statement_cost`): SQLAlchemy's execution context, its
compiled-cache lookup, parameter processing, the greenlet hops, a `Row` per row. A grouped chat
transaction sends ten statements for a handful of posts, so on the hottest write path that
share is most of the difference between a message's cost and the fan-out's (ADR-0023).

`DriverStatement` compiles a Core statement once for PostgreSQL and, at each call, sends its
text with positional arguments to the asyncpg connection that carries the session's
transaction — the same connection and the same transaction as the session's other statements,
begun first if this statement is the transaction's first. What a caller can rely on is what
`session.execute` gives: pending ORM changes flushed first (autoflush), the statement's bind
and result types applied (the same Python values), rows with the columns as attributes, and a
failure raised as SQLAlchemy's `DBAPIError` subclass for it (`IntegrityError`, ...), which
leaves the transaction to be rolled back. Only for statements without an expanding `IN` (a
list is bound as one array: `bulk.any_of`); SQLite and the other statements keep the session.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    """The bind parameters' names, in the order of `$1`, `$2`, ..."""
    compiled: Any
    """SQLAlchemy's compiled statement (its parameters' defaults and literals)."""
    binds: Mapping[str, Callable[[Any], Any]]
    row: Callable[..., Any] | None
    """The row class (the result's columns as attributes), None for a statement without rows."""
    results: tuple[tuple[int, Callable[[Any], Any]], ...]
    """(column index, result processor) of the columns whose values SQLAlchemy converts."""


class DriverStatement:
    """`statement`, compiled once for PostgreSQL, run on the driver connection of a session's
    transaction (see the module's docstring); on another dialect, `elsewhere` (by default the
    same statement) through the session."""

    def __init__(self, statement: sa.Executable, *, elsewhere: sa.Executable | None = None) -> None:
        self._statement = statement
        self._elsewhere = statement if elsewhere is None else elsewhere
        self._compiled: _Compiled | None = None

    @classmethod
    def per_dialect(cls, build: Callable[..., sa.Executable]) -> DriverStatement:
        """`build(postgresql=True)` for PostgreSQL, `build(postgresql=False)` for the other
        dialects: a statement whose lists are arrays there and expanding `IN`s elsewhere
        (`bulk.among_bound`)."""
        return cls(build(postgresql=True), elsewhere=build(postgresql=False))

    async def rows(self, session: AsyncSession, params: Mapping[str, Any]) -> Sequence[Any]:
        """The statement's rows for `params`, in `session`'s transaction: named tuples of its
        columns (a textual statement's, which declares none, the driver's records: by position
        or by name)."""
        dialect = session.get_bind().dialect
        if dialect.name != "postgresql":
            result = await session.execute(self._elsewhere, params)
            if isinstance(result, sa.CursorResult) and not result.returns_rows:
                return []  # (an UPDATE, say)
            return result.all()
        compiled = self._compiled or self._compile(dialect)
        if session.autoflush and _pending(session):
            await session.flush()
        values = compiled.compiled.construct_params(dict(params))
        binds = compiled.binds
        args = [
            binds[name](values[name]) if name in binds else values[name] for name in compiled.names
        ]
        connection, fairy = await _connection_of(session)
        adapted: Any = fairy.dbapi_connection
        events = connection.dispatch
        if events.before_cursor_execute:  # statement counters and tracers see it too
            events.before_cursor_execute(connection, None, compiled.sql, args, None, False)
        try:
            if adapted._transaction is None:
                await adapted._start_transaction()
            records = await fairy.driver_connection.fetch(compiled.sql, *args)
        except Exception as error:
            raise _translated(adapted, compiled, args, error) from error
        if events.after_cursor_execute:
            events.after_cursor_execute(connection, None, compiled.sql, args, None, False)
        if compiled.row is None:
            return list(records)
        if not compiled.results:
            return [compiled.row._make(record) for record in records]  # type: ignore[attr-defined]
        out = []
        for record in records:
            values_ = list(record)
            for index, process in compiled.results:
                values_[index] = process(values_[index])
            out.append(compiled.row._make(values_))  # type: ignore[attr-defined]
        return out

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled: Any = sa.ClauseElement.compile(self._statement, dialect=dialect)  # type: ignore[arg-type]
        if compiled.post_compile_params or compiled.literal_execute_params:
            raise TypeError(
                "DriverStatement takes no expanding IN (bind a list as one array: bulk.any_of)"
            )
        columns = compiled._result_columns
        results = []
        for index, column in enumerate(columns):
            process = column.type._cached_result_processor(dialect, None)
            if process is not None:
                results.append((index, process))
        row = _row_class([c.keyname for c in columns]) if columns else None
        self._compiled = _Compiled(
            sql=compiled.string,
            names=tuple(compiled.positiontup),
            compiled=compiled,
            binds=dict(compiled._bind_processors),
            row=row,
            results=tuple(results),
        )
        return self._compiled


def _row_class(names: Sequence[str]) -> Any:
    """A named tuple of `names` that also answers `_mapping`, as SQLAlchemy's `Row` does."""
    base: Any = namedtuple("Row", names, rename=True)  # type: ignore[misc]
    return type("Row", (base,), {"__slots__": (), "_mapping": property(base._asdict)})


_HELD = "edtech.driver_connection"
"""`session.info` key: (the session's transaction, its `Connection`, the pooled connection)."""


def _pending(session: AsyncSession) -> bool:
    """Whether a flush would write anything (what `Session.flush` asks before flushing)."""
    sync = session.sync_session
    return bool(sync.identity_map.check_modified() or sync.new or sync.deleted)


async def _connection_of(session: AsyncSession) -> tuple[sa.Connection, Any]:
    """The `Connection` carrying `session`'s transaction and its pooled connection: asked of
    the session once per transaction (a checkout, when the transaction has none yet), then
    kept in `session.info` with the transaction they belong to, while that one lasts."""
    transaction = session.sync_session.get_transaction()
    held = session.info.get(_HELD)
    if held is not None and transaction is not None and held[0] is transaction:
        return held[1], held[2]
    connection = await session.connection()
    fairy = await connection.get_raw_connection()
    transaction = session.sync_session.get_transaction()
    sync = connection.sync_connection
    assert sync is not None
    session.info[_HELD] = (transaction, sync, fairy)
    return sync, fairy


def _translated(
    adapted: Any, compiled: _Compiled, args: Sequence[Any], error: Exception
) -> Exception:
    """`error` as SQLAlchemy raises it for a statement through the session: the DB-API error
    asyncpg's adapter makes of it, wrapped in its `sqlalchemy.exc.DBAPIError` subclass."""
    try:
        adapted._handle_exception(error)
    except Exception as dbapi_error:
        return sa.exc.DBAPIError.instance(
            compiled.sql,
            tuple(args),
            dbapi_error,
            adapted.dbapi.Error,
            dialect=compiled.compiled.dialect,
        )
    return error  # pragma: no cover - the adapter always raises
