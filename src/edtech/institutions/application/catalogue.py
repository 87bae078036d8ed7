"""Use cases for the course catalogue and its sections."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from edtech.institutions.application.common import UseCase, apply, not_found, refuse_nulls
from edtech.institutions.domain import (
    AcademicSession,
    ClassType,
    Course,
    MeetingTime,
    School,
    Section,
    SectionCreated,
    SessionKind,
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


class UpdateCourse(UseCase):
    """Rename or recode a course; the code stays unique within its school."""

    FIELDS = frozenset({"code", "title", "sourced_id"})

    async def __call__(
        self, principal: Principal, course_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> None:
        refuse_nulls(changes, "code", "title")
        async with self.uow:
            roster = self.roster()
            course = await roster.get(Course, principal.institution_id, course_id)
            if course is None:
                raise not_found("course")
            Policy.require_admin(principal, course.school_id)
            if "code" in changes and await roster.course_code_taken(
                principal.institution_id, course.school_id, changes["code"], but=course.id
            ):
                raise ConflictError(f"course code {changes['code']!r} is taken in this school")
            apply(course, changes, self.FIELDS)
            await self.commit()


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


class UpdateSection(UseCase):
    """Retitle a section, move its room, or change its weekly meetings (no overlaps)."""

    FIELDS = frozenset({"title", "code", "room", "class_type", "sourced_id"})

    async def __call__(
        self, principal: Principal, section_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> None:
        refuse_nulls(changes, "title", "class_type", "meetings")
        async with self.uow:
            section = await self.roster().get(Section, principal.institution_id, section_id)
            if section is None:
                raise not_found("section")
            Policy.require_admin(principal, section.school_id)
            apply(section, changes, self.FIELDS)
            if "meetings" in changes:
                section.reschedule(tuple(changes["meetings"]))
            await self.commit()
