"""The roster repository: loads and adds mapped aggregates, and answers the uniqueness checks."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.domain import (
    AcademicSession,
    Course,
    Enrollment,
    GuardianLink,
    Institution,
    Person,
    RoleAssignment,
    School,
    Section,
)
from edtech.institutions.infrastructure.tables import (
    course,
    enrollment,
    guardian_link,
    institution,
    person,
    role_assignment,
    school,
)
from edtech.kernel.principal import Role

Tenant = TypeVar(
    "Tenant",
    School,
    AcademicSession,
    Course,
    Section,
    Person,
    RoleAssignment,
    Enrollment,
    GuardianLink,
)
Tie = RoleAssignment | Enrollment | GuardianLink


def _open(table: sa.Table, on: date) -> sa.ColumnElement[bool]:
    """Not ended by `on` (active now or starting later)."""
    return sa.or_(table.c.ends_on.is_(None), table.c.ends_on > on)


class SqlAlchemyRoster:
    """Roster aggregates in the unit of work's session; every lookup is scoped to a tenant."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, obj: object) -> None:
        self.session.add(obj)

    async def institution(self, institution_id: uuid.UUID) -> Institution | None:
        return await self.session.get(Institution, institution_id)

    async def institution_by_slug(self, slug: str) -> Institution | None:
        stmt = sa.select(Institution).where(institution.c.slug == slug)
        return (await self.session.scalars(stmt)).first()

    async def get(
        self, cls: type[Tenant], institution_id: uuid.UUID, id_: uuid.UUID
    ) -> Tenant | None:
        """The object if it exists in this institution; another tenant's id is simply absent."""
        obj = await self.session.get(cls, id_)
        if obj is None or obj.institution_id != institution_id:
            return None
        return obj

    async def _exists(self, table: sa.Table, *where: sa.ColumnElement[bool]) -> bool:
        stmt = sa.select(sa.literal(1)).select_from(table).where(*where).limit(1)
        return await self.session.scalar(stmt) is not None

    async def school_name_taken(
        self, institution_id: uuid.UUID, name: str, but: uuid.UUID | None = None
    ) -> bool:
        return await self._exists(
            school,
            school.c.institution_id == institution_id,
            school.c.name == name,
            school.c.id != but,
        )

    async def course_code_taken(
        self,
        institution_id: uuid.UUID,
        school_id: uuid.UUID,
        code: str,
        but: uuid.UUID | None = None,
    ) -> bool:
        return await self._exists(
            course,
            course.c.institution_id == institution_id,
            course.c.school_id == school_id,
            course.c.code == code,
            course.c.id != but,
        )

    async def email_taken(
        self, institution_id: uuid.UUID, email: str, but: uuid.UUID | None = None
    ) -> bool:
        return await self._exists(
            person,
            person.c.institution_id == institution_id,
            person.c.email == email,
            person.c.id != but,
        )

    async def sourced_id_taken(
        self, institution_id: uuid.UUID, sourced_id: str, but: uuid.UUID | None = None
    ) -> bool:
        return await self._exists(
            person,
            person.c.institution_id == institution_id,
            person.c.sourced_id == sourced_id,
            person.c.id != but,
        )

    async def overlapping_role(
        self,
        institution_id: uuid.UUID,
        person_id: uuid.UUID,
        role: Role,
        school_id: uuid.UUID | None,
        on: date,
    ) -> bool:
        """The person already holds this role for this scope, now or from a later date."""
        scope = role_assignment.c.school_id
        return await self._exists(
            role_assignment,
            role_assignment.c.institution_id == institution_id,
            role_assignment.c.person_id == person_id,
            role_assignment.c.role == role.value,
            scope.is_(None) if school_id is None else scope == school_id,
            _open(role_assignment, on),
        )

    async def open_enrollment(
        self, institution_id: uuid.UUID, section_id: uuid.UUID, person_id: uuid.UUID, on: date
    ) -> bool:
        """The person already has an enrollment in the section that has not ended by `on`."""
        return await self._exists(
            enrollment,
            enrollment.c.institution_id == institution_id,
            enrollment.c.section_id == section_id,
            enrollment.c.person_id == person_id,
            _open(enrollment, on),
        )

    async def open_link(
        self, institution_id: uuid.UUID, student_id: uuid.UUID, guardian_id: uuid.UUID, on: date
    ) -> bool:
        return await self._exists(
            guardian_link,
            guardian_link.c.institution_id == institution_id,
            guardian_link.c.student_id == student_id,
            guardian_link.c.guardian_id == guardian_id,
            _open(guardian_link, on),
        )

    async def open_link_id(
        self, institution_id: uuid.UUID, student_id: uuid.UUID, guardian_id: uuid.UUID, on: date
    ) -> uuid.UUID | None:
        stmt = sa.select(guardian_link.c.id).where(
            guardian_link.c.institution_id == institution_id,
            guardian_link.c.student_id == student_id,
            guardian_link.c.guardian_id == guardian_id,
            _open(guardian_link, on),
        )
        found: uuid.UUID | None = (await self.session.scalars(stmt.limit(1))).first()
        return found

    async def open_ties(
        self, institution_id: uuid.UUID, person_id: uuid.UUID, on: date
    ) -> list[Tie]:
        """Everything of a person not ended by `on`: roles, enrollments, links either way."""
        out: list[Tie] = []
        roles = sa.select(RoleAssignment).where(
            role_assignment.c.institution_id == institution_id,
            role_assignment.c.person_id == person_id,
            _open(role_assignment, on),
        )
        out.extend((await self.session.scalars(roles)).all())
        enrollments = sa.select(Enrollment).where(
            enrollment.c.institution_id == institution_id,
            enrollment.c.person_id == person_id,
            _open(enrollment, on),
        )
        out.extend((await self.session.scalars(enrollments)).all())
        links = sa.select(GuardianLink).where(
            guardian_link.c.institution_id == institution_id,
            sa.or_(
                guardian_link.c.student_id == person_id, guardian_link.c.guardian_id == person_id
            ),
            _open(guardian_link, on),
        )
        out.extend((await self.session.scalars(links)).all())
        return out

    async def open_enrollments_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID, on: date
    ) -> list[Enrollment]:
        """The section's enrollments not ended by `on` (a class that ends takes them along)."""
        stmt = sa.select(Enrollment).where(
            enrollment.c.institution_id == institution_id,
            enrollment.c.section_id == section_id,
            _open(enrollment, on),
        )
        return list((await self.session.scalars(stmt)).all())
