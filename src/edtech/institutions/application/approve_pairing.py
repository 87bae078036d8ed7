"""Use case: the office approves a pairing request; the adult becomes the child's guardian."""

from __future__ import annotations

import uuid

from edtech.institutions.application.common import UseCase, not_found
from edtech.institutions.domain import GuardianLink, Person
from edtech.institutions.domain.pairing import PairingRequest
from edtech.institutions.infrastructure.pairing import SqlAlchemyPairing
from edtech.institutions.policy import Policy
from edtech.kernel.errors import ConflictError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


class ApprovePairing(UseCase):
    """Approve a pending pairing request: in the same transaction a guardian link starts today
    (the relationship the adult gave; every right, as a new link made by the office; the office
    narrows them like any link). Only administrators who manage the child may (an admin of
    one of the child's schools, or the institution's); a decided request,
    a person who left, or an existing open link is a conflict."""

    async def __call__(self, principal: Principal, request_id: uuid.UUID) -> PairingRequest:
        Policy.require_people_admin(principal)
        async with self.uow:
            now, today = self.now(), await self.today(principal.institution_id)
            roster = self.roster()
            request = await SqlAlchemyPairing(self.uow.session).request(
                principal.institution_id, request_id
            )
            if request is None:
                raise not_found("pairing request")
            # It makes a guardian link: judged on the child, like every link write.
            await (await self.policy(principal.institution_id)).require_manager_of(
                principal, request.student_id
            )
            for pid in (request.student_id, request.guardian_id):
                person = await roster.get(Person, principal.institution_id, pid)
                if person is None or not person.is_current(today):
                    raise ConflictError("one of them is no longer on the roll")
            if await roster.open_link(
                principal.institution_id, request.student_id, request.guardian_id, today
            ):
                raise ConflictError("this adult is already linked to this student")
            link = GuardianLink(
                id=new_id(),
                institution_id=principal.institution_id,
                student_id=request.student_id,
                guardian_id=request.guardian_id,
                relationship=request.relationship,
                begins_on=today,
                created_at=now,
            )
            link.linked(now)
            roster.add(link)
            request.approve(link.id, now, principal.person_id)
            await self.commit()
        return request
