"""Column types that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every dialect.

    PostgreSQL stores ``timestamptz``; SQLite keeps no zone, so values are normalised to UTC
    on the way in and marked UTC on the way out. Naive datetimes are refused: they are bugs.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def id_column(name: str = "id", **kw: Any) -> sa.Column[Any]:
    """A UUID primary-key column (ids come from `edtech.kernel.ids.new_id`)."""
    return sa.Column(name, sa.Uuid(), primary_key=True, **kw)


def institution_column(*, inherited: bool = False) -> sa.Column[Any]:
    """The tenant column every tenant-owned table carries, indexed for scoping.

    `inherited`: the row belongs to a parent row that carries the tenant's foreign key and is
    only ever reached through that parent (an announcement's recipients, a notification's
    attempts). The column still names the tenant for every filter, but without a foreign key
    and an index of its own: the parent's check covers it, and a check plus an index entry per
    row was the largest part of committing an announcement to 10,000 guardians (ADR-0015).
    """
    if inherited:
        return sa.Column("institution_id", sa.Uuid(), nullable=False)
    return sa.Column(
        "institution_id",
        sa.Uuid(),
        sa.ForeignKey("institution.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    )
