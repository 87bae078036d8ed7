"""Use case: revoke a student's credential (a lost card stops working at once)."""

from __future__ import annotations

import uuid

from edtech.attendance.application.common import is_attendance_staff
from edtech.attendance.infrastructure.records import SqlAlchemyCredentials
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class RevokeCredential:
    """A lost card stops working at once; its scans are then `unknown_credential`."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, principal: Principal, credential_id: uuid.UUID) -> None:
        if not is_attendance_staff(principal, None):
            raise ForbiddenError("Only the attendance office revokes credentials.")
        async with self.uow as uow:
            if not await SqlAlchemyCredentials(uow.session).revoke(
                principal.institution_id, credential_id, self.clock.now()
            ):
                raise NotFoundError("Credential not found.")
            await uow.commit()
