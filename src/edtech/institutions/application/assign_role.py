"""Use case: an admin gives a person a dated role."""

from __future__ import annotations

import uuid

from edtech.institutions.application.common import (
    NewRole,
    UseCase,
    new_role_assignment,
    not_found,
)
from edtech.institutions.domain import Person
from edtech.kernel.errors import ConflictError
from edtech.kernel.principal import Principal


class AssignRole(UseCase):
    """Give a person a dated role; the same role for the same scope cannot be held twice at once.

    A school admin gives roles of their school to the people of their schools only.
    """

    async def __call__(self, principal: Principal, person_id: uuid.UUID, new: NewRole) -> uuid.UUID:
        async with self.uow:
            roster = self.roster()
            person = await roster.get(Person, principal.institution_id, person_id)
            if person is None:
                raise not_found("person")
            # A school role of my school given to another school's person would make them mine.
            await (await self.policy(principal.institution_id)).require_manager_of(
                principal, person.id
            )
            assignment = await new_role_assignment(self, principal, person.id, new, ())
            if await roster.overlapping_role(
                principal.institution_id, person.id, new.role, new.school_id, assignment.begins_on
            ):
                raise ConflictError(f"{person.display_name} already holds {new.role.value} here")
            roster.add(assignment)
            await self.commit()
        return assignment.id
