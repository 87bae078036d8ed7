"""Use case: an admin of a school opens a section of one of its courses in a term."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from edtech.institutions.application.common import (
    UseCase,
)
from edtech.institutions.domain import (
    AcademicSession,
    ClassType,
    Course,
    MeetingTime,
    Section,
    SectionCreated,
    SessionKind,
)
from edtech.institutions.policy import Policy
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class NewSection:
    course_id: uuid.UUID
    term_id: uuid.UUID
    title: str
    code: str | None = None
    room: str | None = None
    class_type: ClassType = ClassType.SCHEDULED
    meetings: tuple[MeetingTime, ...] = field(default_factory=tuple)
    sourced_id: str | None = None


class CreateSection(UseCase):
    """Sections belong to its course's school, in a term (not a year or grading period)."""

    async def __call__(self, principal: Principal, cmd: NewSection) -> uuid.UUID:
        async with self.uow:
            roster = self.roster()
            course = await roster.get(Course, principal.institution_id, cmd.course_id)
            if course is None:
                raise InvalidError(
                    "unknown course", [FieldProblem(("course_id",), "no such course")]
                )
            Policy.require_admin(principal, course.school_id)
            term = await roster.get(AcademicSession, principal.institution_id, cmd.term_id)
            if term is None or term.kind is not SessionKind.TERM:
                raise InvalidError("unknown term", [FieldProblem(("term_id",), "no such term")])
            section = Section(
                id=new_id(),
                institution_id=principal.institution_id,
                school_id=course.school_id,
                course_id=course.id,
                term_id=term.id,
                title=cmd.title,
                code=cmd.code,
                room=cmd.room,
                class_type=cmd.class_type,
                meetings=cmd.meetings,
                sourced_id=cmd.sourced_id,
            )
            section.record(
                SectionCreated(
                    institution_id=section.institution_id,
                    occurred_at=self.now(),
                    section_id=section.id,
                    school_id=section.school_id,
                    course_id=section.course_id,
                    term_id=section.term_id,
                )
            )
            roster.add(section)
            await self.commit()
        return section.id
