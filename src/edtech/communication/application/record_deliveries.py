"""Use case: record delivery receipts (the hub tells us which messages reached whom)."""

from __future__ import annotations

from collections.abc import Sequence

from edtech.communication.domain import Reached, receipts_owed
from edtech.communication.infrastructure import SqlAlchemyDeliveries
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork


class RecordDeliveries:
    """A message is delivered to a participant other than its sender once it reached one of
    their connections. Each receipt is recorded once, whichever node and device saw it first,
    and shown to the participants live (`chat.delivered`); returns how many were new."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, reached: Sequence[Reached]) -> int:
        owed = receipts_owed(reached)
        if not owed:
            return 0
        async with self.uow as uow:
            new = await SqlAlchemyDeliveries(uow.session).add_new(owed)
            for r in new:
                uow.emit(r.receipt())
            await uow.commit()
        return len(new)
