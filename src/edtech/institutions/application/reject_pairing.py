"""Use case: the office turns a pairing request down."""

from __future__ import annotations

import uuid

from edtech.institutions.application.common import UseCase, not_found
from edtech.institutions.domain.pairing import PairingRequest
from edtech.institutions.infrastructure.pairing import SqlAlchemyPairing
from edtech.institutions.policy import Policy
from edtech.kernel.principal import Principal


class RejectPairing(UseCase):
    """Reject a pending pairing request: no link is made; the decision is final (a decided
    request is a conflict). Only administrators who manage the child may."""

    async def __call__(self, principal: Principal, request_id: uuid.UUID) -> PairingRequest:
        Policy.require_people_admin(principal)
        async with self.uow:
            request = await SqlAlchemyPairing(self.uow.session).request(
                principal.institution_id, request_id
            )
            if request is None:
                raise not_found("pairing request")
            await (await self.policy(principal.institution_id)).require_manager_of(
                principal, request.student_id
            )
            request.reject(self.now(), principal.person_id)
            await self.commit()
        return request
