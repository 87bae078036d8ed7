"""SQL helpers shared by the attendance repositories."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.platform.db.engine import dialect_insert

__all__ = ["CHUNK", "dialect_insert", "is_postgres", "unnest_insert"]

CHUNK = 500
"""Rows per statement for IN lists and bulk inserts (well under both dialects' parameter caps)."""


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def unnest_insert(
    table: sa.Table,
    columns: dict[str, sa.types.TypeEngine[Any]],
    cast: dict[str, Any] | None = None,
) -> Any:
    """PostgreSQL: `INSERT INTO table (columns) SELECT * FROM unnest(:column, …)`, one array
    parameter per column (bound by the column's name): one short, cached statement for any
    number of rows, instead of a statement with a VALUES list as long as the batch.
    `cast` turns an array's elements into the column's type (JSON sent as text)."""
    cast = cast or {}
    rows = (
        sa.func.unnest(*(sa.bindparam(n, type_=postgresql.ARRAY(t)) for n, t in columns.items()))
        .table_valued(*columns)
        .render_derived(name="row")
    )
    values = [sa.cast(rows.c[n], cast[n]) if n in cast else rows.c[n] for n in columns]
    return postgresql.insert(table).from_select(list(columns), sa.select(*values))
