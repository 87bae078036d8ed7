"""Use case: an admin of a section's school puts a current person in the section."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from edtech.institutions.application.common import (
    UseCase,
)
from edtech.institutions.domain import Enrollment, EnrollmentRole, Person, Section
from edtech.institutions.policy import Policy
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class NewEnrollment:
    section_id: uuid.UUID
    person_id: uuid.UUID
    role: EnrollmentRole
    is_primary: bool = False
    begins_on: date | None = None
    ends_on: date | None = None


class EnrollPerson(UseCase):
    """Admins of the section's school enroll a current person, once at a time per section.

    A school admin enrolls only people of their own schools (or not yet placed anywhere);
    a person of another school is enrolled by an institution admin.
    """

    async def __call__(self, principal: Principal, cmd: NewEnrollment) -> uuid.UUID:
        async with self.uow:
            roster = self.roster()
            section = await roster.get(Section, principal.institution_id, cmd.section_id)
            problems = []
            if section is None:
                problems.append(FieldProblem(("section_id",), "no such section"))
            person = await roster.get(Person, principal.institution_id, cmd.person_id)
            if person is None or not person.is_current(await self.today(principal.institution_id)):
                problems.append(FieldProblem(("person_id",), "no such current person"))
            if problems:
                raise InvalidError("unknown section or person", problems)
            assert section is not None
            assert person is not None
            Policy.require_admin(principal, section.school_id)
            # Enrolling another school's person would make them a person of the caller's school.
            await (await self.policy(principal.institution_id)).require_manager_of(
                principal, person.id
            )
            enrollment = Enrollment(
                id=new_id(),
                institution_id=principal.institution_id,
                section_id=section.id,
                person_id=person.id,
                role=cmd.role,
                is_primary=cmd.is_primary,
                begins_on=cmd.begins_on or await self.today(principal.institution_id),
                ends_on=cmd.ends_on,
                created_at=self.now(),
            )
            if await roster.open_enrollment(
                principal.institution_id, section.id, person.id, enrollment.begins_on
            ):
                raise ConflictError(f"{person.display_name} is already enrolled in {section.title}")
            enrollment.enrolled(self.now())
            roster.add(enrollment)
            await self.commit()
        return enrollment.id
