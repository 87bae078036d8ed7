"""Use case: record delivery receipts (the hub tells us which messages reached whom)."""

from __future__ import annotations

from collections.abc import Sequence

from edtech.communication.application.common import Collaborators
from edtech.communication.domain import Reached, receipts_owed
from edtech.communication.infrastructure import SqlAlchemyDeliveries


class RecordDeliveries:
    """A message is delivered to a participant other than its sender once it reached one of
    their connections. Each receipt is recorded once, whichever node and device saw it first,
    and shown to the participants live (`chat.delivered`); returns how many were new."""

    def __init__(self, deps: Collaborators) -> None:
        self.deps = deps

    async def __call__(self, reached: Sequence[Reached]) -> int:
        owed = receipts_owed(reached)
        if not owed:
            return 0
        async with self.deps.uow as uow:
            new = await SqlAlchemyDeliveries(uow.session).add_new(owed)
            for r in new:
                uow.emit(r.receipt())
            await uow.commit()
        return len(new)
