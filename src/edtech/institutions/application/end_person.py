"""Use case: a person leaves the institution (nothing is deleted; their ties end too)."""

from __future__ import annotations

import uuid
from datetime import date

from edtech.institutions.application.common import (
    UseCase,
    not_found,
)
from edtech.institutions.domain import Person
from edtech.institutions.policy import Policy
from edtech.kernel.errors import ConflictError
from edtech.kernel.principal import Principal


class EndPerson(UseCase):
    """A person leaves: nothing is deleted; their roles, enrollments and guardian links end too.

    A school admin ends only the people of their own schools.
    """

    async def __call__(
        self, principal: Principal, person_id: uuid.UUID, ends_on: date | None = None
    ) -> None:
        Policy.require_people_admin(principal)
        async with self.uow:
            ends_on = ends_on or await self.today(principal.institution_id)
            roster = self.roster()
            person = await roster.get(Person, principal.institution_id, person_id)
            if person is None:
                raise not_found("person")
            await (await self.policy(principal.institution_id)).require_manager_of(
                principal, person.id
            )
            if person.id == principal.person_id:
                raise ConflictError("you cannot end your own membership")
            person.end(ends_on, self.now())
            for tie in await roster.open_ties(principal.institution_id, person.id, ends_on):
                # Ties that would only begin after the person left are closed on their first day.
                tie.end(max(ends_on, tie.begins_on), self.now())
            await self.commit()
