"""Use case: a parent enters a child's pairing code to ask to be linked to the child."""

from __future__ import annotations

from edtech.institutions.application.common import UseCase
from edtech.institutions.application.issue_pairing_code import hash_code
from edtech.institutions.domain.pairing import PairingCodeError, PairingRequest
from edtech.institutions.infrastructure.pairing import SqlAlchemyPairing
from edtech.kernel.errors import ConflictError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


class RequestPairing(UseCase):
    """Ask, with a child's live pairing code, to become the child's guardian.

    Anyone signed in to the child's institution may ask; nothing is granted until the office
    approves. Asking again while a request is pending returns that request (idempotent); asking
    for a child one is already linked to, or for oneself, is a conflict. An unknown, expired or
    replaced code is refused (422) without saying which.
    """

    async def __call__(
        self, principal: Principal, code: str, relationship: str = "guardian"
    ) -> PairingRequest:
        now = self.now()
        async with self.uow:
            pairing = SqlAlchemyPairing(self.uow.session)
            found = await pairing.code_by_hash(principal.institution_id, hash_code(code))
            if found is None:
                raise PairingCodeError()
            found.check_usable(now)
            if found.student_id == principal.person_id:
                raise ConflictError("nobody guards themselves")
            if await self.roster().open_link(
                principal.institution_id,
                found.student_id,
                principal.person_id,
                await self.today(principal.institution_id),
            ):
                raise ConflictError("you are linked to this child already")
            pending = await pairing.pending(found.student_id, principal.person_id)
            if pending is not None:
                self.uow.session.expunge(pending)  # keep it readable after the rollback
                return pending
            request = PairingRequest(
                id=new_id(),
                institution_id=principal.institution_id,
                student_id=found.student_id,
                guardian_id=principal.person_id,
                code_id=found.id,
                relationship=relationship,
                requested_at=now,
            )
            request.requested()
            pairing.add(request)
            await self.commit()
        return request
