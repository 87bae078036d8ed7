"""Which roster rows a principal may see, as SQL filters every list and detail query applies."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from edtech.institutions.domain import EnrollmentRole
from edtech.institutions.infrastructure.tables import active as active
from edtech.institutions.infrastructure.tables import (
    enrollment,
    guardian_link,
    person,
    role_assignment,
    section,
)
from edtech.kernel.principal import STAFF_ROLES, Principal, Role

OFFICE_ROLES = frozenset(
    {Role.INSTITUTION_ADMIN, Role.SCHOOL_ADMIN, Role.ATTENDANCE_OFFICER, Role.ACCOUNTANT}
)
"""Roles that see every person and section of the institution (they run the school office)."""

TEACHING_ROLES = (EnrollmentRole.TEACHER.value, EnrollmentRole.AIDE.value)


def teaching(
    institution_id: Any, person_id: Any, on: date | sa.ColumnElement[date]
) -> sa.Select[Any]:
    """Ids of the sections the person teaches or assists in on `on` (values or bound
    parameters: the policy builds its hot statements once from this)."""
    return (
        sa.select(enrollment.c.section_id)
        .where(
            enrollment.c.institution_id == institution_id,
            enrollment.c.person_id == person_id,
            enrollment.c.role.in_(TEACHING_ROLES),
            active(enrollment, on),
        )
        .correlate(None)
    )


class Scopes:
    """Visibility filters judged on `today`; subqueries never correlate with the outer query."""

    def __init__(self, today: date) -> None:
        self.today = today

    @staticmethod
    def is_office(principal: Principal) -> bool:
        """Admins, attendance officers and accountants see the whole institution."""
        return bool(principal.roles & OFFICE_ROLES)

    def teaching_sections(self, principal: Principal) -> sa.Select[Any]:
        """Ids of the sections the principal teaches or assists in today."""
        return teaching(principal.institution_id, principal.person_id, self.today)

    def own_sections(self, principal: Principal) -> sa.Select[Any]:
        """Ids of the sections the principal is enrolled in today, in any role."""
        return (
            sa.select(enrollment.c.section_id)
            .where(
                enrollment.c.institution_id == principal.institution_id,
                enrollment.c.person_id == principal.person_id,
                active(enrollment, self.today),
            )
            .correlate(None)
        )

    def children(self, principal: Principal) -> sa.Select[Any]:
        """Ids of the students the principal is an unrestricted, active guardian of."""
        return (
            sa.select(guardian_link.c.student_id)
            .where(
                guardian_link.c.institution_id == principal.institution_id,
                guardian_link.c.guardian_id == principal.person_id,
                guardian_link.c.custody_restriction.is_(False),
                active(guardian_link, self.today),
            )
            .correlate(None)
        )

    def students_taught(self, principal: Principal) -> sa.Select[Any]:
        """Ids of the students in the sections the principal teaches today."""
        return (
            sa.select(enrollment.c.person_id)
            .where(
                enrollment.c.institution_id == principal.institution_id,
                enrollment.c.section_id.in_(self.teaching_sections(principal)),
                enrollment.c.role == EnrollmentRole.STUDENT.value,
                active(enrollment, self.today),
            )
            .correlate(None)
        )

    def children_sections(self, principal: Principal) -> sa.Select[Any]:
        return (
            sa.select(enrollment.c.section_id)
            .where(
                enrollment.c.institution_id == principal.institution_id,
                enrollment.c.person_id.in_(self.children(principal)),
                active(enrollment, self.today),
            )
            .correlate(None)
        )

    def _teachers_of(self, principal: Principal, sections: sa.Select[Any]) -> sa.Select[Any]:
        return (
            sa.select(enrollment.c.person_id)
            .where(
                enrollment.c.institution_id == principal.institution_id,
                enrollment.c.section_id.in_(sections),
                enrollment.c.role.in_(TEACHING_ROLES),
                active(enrollment, self.today),
            )
            .correlate(None)
        )

    def visible_people(self, principal: Principal) -> sa.ColumnElement[bool]:
        """A filter on `person` rows the principal may see.

        Office roles see everyone. Otherwise: yourself; staff see colleagues, the students of
        their sections and those students' guardians; students see their teachers; guardians
        see their children (no custody restriction) and their children's teachers.
        """
        mine = person.c.institution_id == principal.institution_id
        if self.is_office(principal):
            return mine
        ids: list[sa.Select[Any]] = [
            self._teachers_of(principal, self.own_sections(principal)),
            self.children(principal),
            self._teachers_of(principal, self.children_sections(principal)),
        ]
        if principal.is_staff:
            taught = self.students_taught(principal)
            ids += [
                sa.select(role_assignment.c.person_id)
                .where(
                    role_assignment.c.institution_id == principal.institution_id,
                    role_assignment.c.role.in_([r.value for r in STAFF_ROLES]),
                    active(role_assignment, self.today),
                )
                .correlate(None),
                taught,
                sa.select(guardian_link.c.guardian_id)
                .where(
                    guardian_link.c.institution_id == principal.institution_id,
                    guardian_link.c.student_id.in_(taught),
                    active(guardian_link, self.today),
                )
                .correlate(None),
            ]
        return sa.and_(
            mine, sa.or_(person.c.id == principal.person_id, person.c.id.in_(sa.union(*ids)))
        )

    def visible_sections(self, principal: Principal) -> sa.ColumnElement[bool]:
        """Staff see every section; students and guardians those they or their children are in."""
        mine = section.c.institution_id == principal.institution_id
        if principal.is_staff:
            return mine
        return sa.and_(
            mine,
            section.c.id.in_(
                sa.union(self.own_sections(principal), self.children_sections(principal))
            ),
        )

    def visible_enrollments(self, principal: Principal) -> sa.ColumnElement[bool]:
        """Office roles see all; teachers their sections'; others their own and their children's."""
        mine = enrollment.c.institution_id == principal.institution_id
        if self.is_office(principal):
            return mine
        return sa.and_(
            mine,
            sa.or_(
                enrollment.c.person_id == principal.person_id,
                enrollment.c.section_id.in_(self.teaching_sections(principal)),
                enrollment.c.person_id.in_(self.children(principal)),
            ),
        )

    def visible_guardian_links(self, principal: Principal) -> sa.ColumnElement[bool]:
        """Office roles see all; teachers the links of their own students; guardians their own
        unrestricted links. Nobody else sees family data."""
        mine = guardian_link.c.institution_id == principal.institution_id
        if self.is_office(principal):
            return mine
        return sa.and_(
            mine,
            sa.or_(
                guardian_link.c.student_id.in_(self.students_taught(principal)),
                sa.and_(
                    guardian_link.c.guardian_id == principal.person_id,
                    guardian_link.c.custody_restriction.is_(False),
                    active(guardian_link, self.today),
                ),
            ),
        )
