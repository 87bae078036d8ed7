"""Suspensions of tenants: their table, mapping and repository, and the operators' list query."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.domain.tenancy import Suspension
from edtech.institutions.infrastructure.tables import institution
from edtech.platform.db.metadata import mapper_registry, metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column

institution_suspension = sa.Table(
    "institution_suspension",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("suspended_at", UTCDateTime(), nullable=False),
    sa.Column("suspended_by", sa.String(120), nullable=False),
    sa.Column("reason", sa.String(500), nullable=True),
    sa.Column("reactivated_at", UTCDateTime(), nullable=True),
    sa.Column("reactivated_by", sa.String(120), nullable=True),
)

mapper_registry.map_imperatively(Suspension, institution_suspension)


def suspended(institution_id: Any) -> sa.ColumnElement[bool]:
    """True while the institution (a column or a value) has an open suspension."""
    s = institution_suspension
    return sa.exists().where(s.c.institution_id == institution_id, s.c.reactivated_at.is_(None))


class SqlAlchemySuspensions:
    """The open suspension of an institution, if any; new ones are added to the session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, suspension: Suspension) -> None:
        self.session.add(suspension)

    async def open_one(self, institution_id: uuid.UUID) -> Suspension | None:
        s = institution_suspension
        stmt = (
            sa.select(Suspension)
            .where(s.c.institution_id == institution_id, s.c.reactivated_at.is_(None))
            .with_for_update()
        )
        return (await self.session.scalars(stmt)).first()


def institutions_query() -> sa.Select[Any]:
    """Every institution with whether it is suspended now, by name then id (operators)."""
    i = institution
    return sa.select(
        i.c.id,
        i.c.slug,
        i.c.name,
        i.c.timezone,
        i.c.locale,
        i.c.currency,
        i.c.created_at,
        suspended(i.c.id).label("suspended"),
    ).order_by(i.c.name, i.c.id)
