"""Use case: an admin of a school adds a course to its catalogue."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edtech.institutions.application.common import (
    UseCase,
)
from edtech.institutions.domain import (
    Course,
    School,
)
from edtech.institutions.policy import Policy
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class NewCourse:
    school_id: uuid.UUID
    code: str
    title: str
    sourced_id: str | None = None


class CreateCourse(UseCase):
    """Admins of a school add its courses; a course code is unique within its school."""

    async def __call__(self, principal: Principal, cmd: NewCourse) -> uuid.UUID:
        async with self.uow:
            roster = self.roster()
            if await roster.get(School, principal.institution_id, cmd.school_id) is None:
                raise InvalidError(
                    "unknown school", [FieldProblem(("school_id",), "no such school")]
                )
            Policy.require_admin(principal, cmd.school_id)
            if await roster.course_code_taken(principal.institution_id, cmd.school_id, cmd.code):
                raise ConflictError(f"course code {cmd.code!r} is taken in this school")
            course = Course(
                id=new_id(),
                institution_id=principal.institution_id,
                school_id=cmd.school_id,
                code=cmd.code,
                title=cmd.title,
                sourced_id=cmd.sourced_id,
            )
            roster.add(course)
            await self.commit()
        return course.id
