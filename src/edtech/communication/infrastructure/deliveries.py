"""Delivery receipts in the database: recorded once per (message, person) across nodes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.domain import Reached
from edtech.communication.infrastructure.tables import message_delivery
from edtech.platform.db.engine import dialect_insert


class SqlAlchemyDeliveries:
    """Delivery receipts: an insert that ignores the ones some node recorded already."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_new(self, reached: Sequence[Reached]) -> list[Reached]:
        """Record these receipts; returns those that were not recorded before (one statement:
        the primary key settles races between nodes)."""
        if not reached:
            return []
        stmt = (
            dialect_insert(self.session)(message_delivery)
            .values(
                [
                    {
                        "message_id": r.message_id,
                        "person_id": r.person_id,
                        "institution_id": r.institution_id,
                        "delivered_at": r.at,
                    }
                    for r in reached
                ]
            )
            .on_conflict_do_nothing(
                index_elements=[message_delivery.c.message_id, message_delivery.c.person_id]
            )
            .returning(message_delivery.c.message_id, message_delivery.c.person_id)
        )
        new = {(row.message_id, row.person_id) for row in await self.session.execute(stmt)}
        return [r for r in reached if (r.message_id, r.person_id) in new]


async def delivered_to(
    session: AsyncSession, message_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Who each message has reached, in the order it reached them."""
    if not message_ids:
        return {}
    rows = await session.execute(
        sa.select(message_delivery.c.message_id, message_delivery.c.person_id)
        .where(message_delivery.c.message_id.in_(list(message_ids)))
        .order_by(message_delivery.c.delivered_at, message_delivery.c.person_id)
    )
    out: dict[uuid.UUID, list[uuid.UUID]] = {}
    for r in rows:
        out.setdefault(r.message_id, []).append(r.person_id)
    return out
