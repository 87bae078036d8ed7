"""Use case: the office withdraws an invitation link."""

from __future__ import annotations

import uuid

from edtech.identity.application.common import actor_of
from edtech.identity.domain.links import Invitation
from edtech.identity.infrastructure.links import SqlAlchemyAudit, SqlAlchemyInvitations
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


class RevokeInvitation:
    """Withdraw an invitation: its link is refused from now on (inviting the person again
    makes a new link). Only institution administrators may; an accepted invitation cannot be
    revoked (409); revoking twice changes nothing."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(
        self, principal: Principal, invitation_id: uuid.UUID, client_address: str | None = None
    ) -> Invitation:
        if not principal.is_institution_admin:
            raise ForbiddenError("Only institution administrators may revoke invitations.")
        now = self.clock.now()
        async with self.uow as uow:
            invitation = await SqlAlchemyInvitations(uow.session).get(
                principal.institution_id, invitation_id
            )
            if invitation is None:
                raise NotFoundError("Invitation not found.")
            invitation.revoke(now)
            await SqlAlchemyAudit(uow.session).record(
                institution_id=principal.institution_id,
                at=now,
                action="invitation_revoked",
                actor=actor_of(principal.person_id),
                subject_person_id=invitation.person_id,
                client_address=client_address,
                detail={"invitation_id": str(invitation.id)},
            )
            await uow.commit()
        return invitation
