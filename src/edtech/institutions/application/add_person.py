"""Use case: an admin adds a person to the institution, with their first roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from edtech.institutions.application.common import (
    NewRole,
    UseCase,
    new_role_assignment,
)
from edtech.institutions.domain import Person
from edtech.institutions.domain.people import normalise_email
from edtech.institutions.policy import Policy
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal, Role


@dataclass(frozen=True)
class NewPerson:
    given_name: str
    family_name: str
    email: str | None = None
    sourced_id: str | None = None
    grade_level: str | None = None
    birth_date: date | None = None
    roles: tuple[NewRole, ...] = ()


class AddPerson(UseCase):
    """Admins add a person with first roles; email and sourcedId are unique per institution."""

    async def __call__(self, principal: Principal, cmd: NewPerson) -> uuid.UUID:
        Policy.require_people_admin(principal)
        async with self.uow:
            roster = self.roster()
            email = normalise_email(cmd.email)
            if email and await roster.email_taken(principal.institution_id, email):
                raise ConflictError(
                    "a person with this email exists in the institution", field="email"
                )
            if cmd.sourced_id and await roster.sourced_id_taken(
                principal.institution_id, cmd.sourced_id
            ):
                raise ConflictError("a person with this sourcedId exists", field="sourced_id")
            person = Person(
                id=new_id(),
                institution_id=principal.institution_id,
                given_name=cmd.given_name,
                family_name=cmd.family_name,
                email=email,
                sourced_id=cmd.sourced_id,
                grade_level=cmd.grade_level,
                birth_date=cmd.birth_date,
                created_at=self.now(),
            )
            person.added(self.now())
            roster.add(person)
            seen: set[tuple[Role, uuid.UUID | None]] = set()
            for i, new in enumerate(cmd.roles):
                if (new.role, new.school_id) in seen:
                    raise InvalidError(
                        "duplicate role", [FieldProblem(("roles", i), "listed twice")]
                    )
                seen.add((new.role, new.school_id))
                roster.add(await new_role_assignment(self, principal, person.id, new, ("roles", i)))
            await self.commit()
        return person.id
