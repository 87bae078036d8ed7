"""Logins of erased people go with them: an `EventSink` on the roster's `PersonErased`."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.identity.infrastructure import account_table
from edtech.identity.infrastructure.links import SqlAlchemyAudit, invitation_table
from edtech.institutions.public import PersonErased
from edtech.kernel.events import DomainEvent


class DropErasedLogins:
    """In the erasure's own transaction: the person's invitations and account are deleted
    (its sessions, refresh tokens, resets, email changes and single sign-on links with it, by
    their foreign keys), and the identity audit trail records the erasure."""

    event_types = frozenset({PersonErased.type})

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
        audit = SqlAlchemyAudit(session)
        for event in events:
            if not isinstance(event, PersonErased):
                continue
            person = event.person_id
            await session.execute(
                sa.delete(invitation_table).where(invitation_table.c.person_id == person)
            )
            deleted = await session.execute(
                sa.delete(account_table).where(account_table.c.person_id == person)
            )
            await audit.record(
                institution_id=event.institution_id,
                at=event.occurred_at,
                action="person_erased",
                actor=f"person:{event.erased_by}",
                subject_person_id=person,
                detail={"login_deleted": bool(getattr(deleted, "rowcount", 0))},
            )
        return None

    async def committed(self, staged: object) -> None:
        return None
