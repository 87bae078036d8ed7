"""The notifications' channels: a sender's live counts (`notifications.batch.{id}`), and the
delivery observers that tell the ladder which notifications reached an open socket."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from pydantic import BaseModel

from edtech.kernel.principal import Principal
from edtech.notifications.application import OBSERVED, RecordSeen, Seen, source_key
from edtech.notifications.domain import BatchProgressed
from edtech.notifications.infrastructure.queries import may_watch_batch
from edtech.realtime.public import (
    AuthorizationContext,
    ChannelType,
    Delivered,
    DeliveryContext,
    Registrar,
)


class ChannelCountsData(BaseModel):
    sent: int
    failed: int
    skipped: int
    pending: int


class BatchProgressData(BaseModel):
    """The batch's counts now: `reached` recipients (any channel sent, or seen or read in the
    app) of `total`, and per channel how many attempts are sent, failed, skipped, pending."""

    batch_id: uuid.UUID
    total: int
    reached: int
    percent: float
    channels: dict[str, ChannelCountsData]


async def may_watch(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    """The sender of the batch, and the administrators of its institution."""
    return await may_watch_batch(ctx.session, principal, params["id"])


BATCH = ChannelType(
    pattern="notifications.batch.{id}",
    authorize=may_watch,
    description=(
        "A sender's live delivery counts for one announcement (its id): one "
        "`notifications.progress` event each time a recipient is reached or a channel to them "
        "settles, ending at 100 % when everyone was reached. Durable."
    ),
    durable=True,
    history_size=50,
    events={BatchProgressed.type: BatchProgressData},
)


async def observe_seen(batch: Sequence[Delivered], ctx: DeliveryContext) -> None:
    """Notices handed to a person's socket (absences, announcements, grades, bills) are seen."""
    now = ctx.clock.now()
    seen = [
        Seen(d.principal.person_id, d.event.type, source_key(d.event.type, d.event.data), now)
        for d in batch
    ]
    await RecordSeen(ctx.uow(), ctx.clock)(seen)


def register(registry: Registrar) -> None:
    registry.add(BATCH)
    registry.route(BatchProgressed, lambda e: [BATCH.name(id=e.batch_id)])
    for event_type in OBSERVED:
        registry.observe_deliveries(event_type, observe_seen, on=["user.{id}"])
