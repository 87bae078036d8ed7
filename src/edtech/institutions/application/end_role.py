"""Use case: an admin ends one of a person's role assignments (it stays as history)."""

from __future__ import annotations

import uuid
from datetime import date

from edtech.institutions.application.common import (
    UseCase,
    not_found,
)
from edtech.institutions.domain import RoleAssignment
from edtech.institutions.policy import Policy
from edtech.kernel.principal import Principal


class EndRole(UseCase):
    """End a role assignment (it stays as history)."""

    async def __call__(
        self,
        principal: Principal,
        person_id: uuid.UUID,
        assignment_id: uuid.UUID,
        ends_on: date | None = None,
    ) -> None:
        async with self.uow:
            assignment = await self.roster().get(
                RoleAssignment, principal.institution_id, assignment_id
            )
            if assignment is None or assignment.person_id != person_id:
                raise not_found("role assignment")
            Policy.require_admin(principal, assignment.school_id)
            assignment.end(ends_on or await self.today(principal.institution_id), self.now())
            await self.commit()
