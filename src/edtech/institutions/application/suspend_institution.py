"""Use case: a platform operator takes an institution out of service."""

from __future__ import annotations

import uuid

from edtech.institutions.application.common import UseCase, not_found
from edtech.institutions.domain.tenancy import Suspension
from edtech.institutions.infrastructure.tenancy import SqlAlchemySuspensions
from edtech.kernel.errors import ConflictError
from edtech.kernel.ids import new_id


class SuspendInstitution(UseCase):
    """Suspend an institution: from the commit on, its people cannot sign in, their tokens and
    its devices are refused, and every node closes their open sockets. Nothing is deleted;
    reactivating restores access. Suspending a suspended institution is a conflict (409).

    Only platform operators may (the route checks); `by` names who, for the record.
    """

    async def __call__(self, institution_id: uuid.UUID, *, by: str, reason: str | None) -> None:
        async with self.uow:
            if await self.roster().institution(institution_id) is None:
                raise not_found("institution")
            suspensions = SqlAlchemySuspensions(self.uow.session)
            if await suspensions.open_one(institution_id) is not None:
                raise ConflictError("the institution is already suspended")
            suspensions.add(
                Suspension.begin(
                    id=new_id(), institution_id=institution_id, at=self.now(), by=by, reason=reason
                )
            )
            await self.commit()
