"""Contacts of erased people go with them: an `EventSink` on the roster's `PersonErased`."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.public import PersonErased
from edtech.kernel.events import DomainEvent
from edtech.notifications.infrastructure.tables import (
    notification,
    notification_attempt,
    notification_digest,
    notification_preference,
    push_device,
)


class ForgetErasedContacts:
    """In the erasure's own transaction: the person's devices and push subscriptions, their
    preferences (with their SMS number) are deleted, and their delivery records (attempts,
    daily digests) keep the outcome (who was reached, how, when) without the address."""

    event_types = frozenset({PersonErased.type})

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
        for event in events:
            if not isinstance(event, PersonErased):
                continue
            person = event.person_id
            await session.execute(sa.delete(push_device).where(push_device.c.person_id == person))
            await session.execute(
                sa.delete(notification_preference).where(
                    notification_preference.c.person_id == person
                )
            )
            theirs = sa.select(notification.c.id).where(notification.c.person_id == person)
            await session.execute(
                sa.update(notification_attempt)
                .where(notification_attempt.c.notification_id.in_(theirs))
                .values(destination=None)
            )
            await session.execute(
                sa.update(notification_digest)
                .where(notification_digest.c.person_id == person)
                .values(destination=None)
            )
        return None

    async def committed(self, staged: object) -> None:
        return None
