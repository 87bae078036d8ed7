"""Use case: a platform operator puts a suspended institution back into service."""

from __future__ import annotations

import uuid

from edtech.institutions.application.common import UseCase, not_found
from edtech.institutions.infrastructure.tenancy import SqlAlchemySuspensions
from edtech.kernel.errors import ConflictError


class ReactivateInstitution(UseCase):
    """Lift an institution's suspension: its people may sign in again (sessions and device keys
    revoked meanwhile stay revoked). Reactivating an institution that is not suspended is a
    conflict (409). Only platform operators may (the route checks)."""

    async def __call__(self, institution_id: uuid.UUID, *, by: str) -> None:
        async with self.uow:
            if await self.roster().institution(institution_id) is None:
                raise not_found("institution")
            suspension = await SqlAlchemySuspensions(self.uow.session).open_one(institution_id)
            if suspension is None:
                raise ConflictError("the institution is not suspended")
            suspension.lift(self.now(), by)
            await self.commit()
