"""Use cases for people and their dated role assignments."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from edtech.institutions.application.common import UseCase, apply, not_found, refuse_nulls
from edtech.institutions.domain import Person, RoleAssignment, School
from edtech.institutions.domain.people import normalise_email
from edtech.institutions.policy import Policy
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal, Role


@dataclass(frozen=True)
class NewRole:
    role: Role
    school_id: uuid.UUID | None = None
    begins_on: date | None = None
    ends_on: date | None = None


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
                roster.add(await _assignment(self, principal, person.id, new, ("roles", i)))
            await self.commit()
        return person.id


async def _assignment(
    case: UseCase,
    principal: Principal,
    person_id: uuid.UUID,
    new: NewRole,
    loc: tuple[str | int, ...],
) -> RoleAssignment:
    """Institution-wide roles need an institution admin; school roles an admin of that school."""
    Policy.require_admin(principal, new.school_id)
    if (
        new.school_id is not None
        and await case.roster().get(School, principal.institution_id, new.school_id) is None
    ):
        raise InvalidError("unknown school", [FieldProblem((*loc, "school_id"), "no such school")])
    assignment = RoleAssignment(
        id=new_id(),
        institution_id=principal.institution_id,
        person_id=person_id,
        role=new.role,
        school_id=new.school_id,
        begins_on=new.begins_on or case.today(),
        ends_on=new.ends_on,
    )
    assignment.assigned(case.now())
    return assignment


class UpdatePerson(UseCase):
    """Correct a person's names, email, grade level or birth date; the email stays unique.

    A school admin corrects only the people of their own schools (`Policy.belonging`).
    """

    FIELDS = frozenset(
        {"given_name", "family_name", "email", "sourced_id", "grade_level", "birth_date"}
    )

    async def __call__(
        self, principal: Principal, person_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> None:
        refuse_nulls(changes, "given_name", "family_name")
        Policy.require_people_admin(principal)
        changes = {**changes}
        if "email" in changes:
            changes["email"] = normalise_email(changes["email"])
        async with self.uow:
            roster = self.roster()
            person = await roster.get(Person, principal.institution_id, person_id)
            if person is None:
                raise not_found("person")
            await self.policy().require_manager_of(principal, person.id)
            if changes.get("email") and await roster.email_taken(
                principal.institution_id, changes["email"], but=person.id
            ):
                raise ConflictError(
                    "a person with this email exists in the institution", field="email"
                )
            if changes.get("sourced_id") and await roster.sourced_id_taken(
                principal.institution_id, changes["sourced_id"], but=person.id
            ):
                raise ConflictError("a person with this sourcedId exists", field="sourced_id")
            apply(person, changes, self.FIELDS)
            await self.commit()


class EndPerson(UseCase):
    """A person leaves: nothing is deleted; their roles, enrollments and guardian links end too.

    A school admin ends only the people of their own schools.
    """

    async def __call__(
        self, principal: Principal, person_id: uuid.UUID, ends_on: date | None = None
    ) -> None:
        Policy.require_people_admin(principal)
        ends_on = ends_on or self.today()
        async with self.uow:
            roster = self.roster()
            person = await roster.get(Person, principal.institution_id, person_id)
            if person is None:
                raise not_found("person")
            await self.policy().require_manager_of(principal, person.id)
            if person.id == principal.person_id:
                raise ConflictError("you cannot end your own membership")
            person.end(ends_on, self.now())
            for tie in await roster.open_ties(principal.institution_id, person.id, ends_on):
                # Ties that would only begin after the person left are closed on their first day.
                tie.end(max(ends_on, tie.begins_on), self.now())
            await self.commit()


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
            await self.policy().require_manager_of(principal, person.id)
            assignment = await _assignment(self, principal, person.id, new, ())
            if await roster.overlapping_role(
                principal.institution_id, person.id, new.role, new.school_id, assignment.begins_on
            ):
                raise ConflictError(f"{person.display_name} already holds {new.role.value} here")
            roster.add(assignment)
            await self.commit()
        return assignment.id


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
            assignment.end(ends_on or self.today(), self.now())
            await self.commit()
