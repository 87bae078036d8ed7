"""Which schools a person belongs to, and so which school admins manage them.

A school admin manages the people of their own schools only. A person belongs to the schools
of their school roles and of the sections they are enrolled in; an adult linked to children
belongs to their children's schools too (guardians follow their children). Ties that still
hold or are yet to begin count; a person whose ties have all ended stays with the schools they
left, so leaving does not hand them to every admin. A person holding an institution-wide staff
role belongs to the whole institution: only institution admins manage them. A person with no
school at all (just added, not yet placed) may be placed by any school admin.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.infrastructure.tables import (
    enrollment,
    guardian_link,
    role_assignment,
    section,
)
from edtech.kernel.principal import STAFF_ROLES, Principal, Role


@dataclass(frozen=True)
class Belonging:
    """Where a person belongs: their schools, and whether they are institution-wide staff."""

    schools: frozenset[uuid.UUID]
    institution_staff: bool

    @property
    def placed(self) -> bool:
        return bool(self.schools) or self.institution_staff

    def managed_by(self, principal: Principal) -> bool:
        """Institution admins manage everyone; a school admin the people of their schools (any
        of them, for a person of several) and people not yet placed in any school."""
        if principal.is_institution_admin:
            return True
        if not principal.has_role(Role.SCHOOL_ADMIN):
            return False
        if not self.placed:
            return True
        return any(principal.is_admin_of(school_id) for school_id in self.schools)


def _open(table: sa.Table, today: date) -> sa.ColumnElement[bool]:
    """The tie still holds today or begins later."""
    return sa.or_(table.c.ends_on.is_(None), table.c.ends_on > today)


async def _own_schools(
    session: AsyncSession, institution_id: uuid.UUID, person_ids: list[uuid.UUID], today: date
) -> dict[uuid.UUID, tuple[set[uuid.UUID], set[uuid.UUID]]]:
    """Per person: (schools of open ties, schools of all ties) through roles and enrollments."""
    roles = sa.select(
        role_assignment.c.person_id,
        role_assignment.c.school_id,
        _open(role_assignment, today).label("open"),
    ).where(
        role_assignment.c.institution_id == institution_id,
        role_assignment.c.person_id.in_(person_ids),
        role_assignment.c.school_id.is_not(None),
    )
    enrolled = (
        sa.select(
            enrollment.c.person_id, section.c.school_id, _open(enrollment, today).label("open")
        )
        .join(section, section.c.id == enrollment.c.section_id)
        .where(
            enrollment.c.institution_id == institution_id,
            enrollment.c.person_id.in_(person_ids),
        )
    )
    found: dict[uuid.UUID, tuple[set[uuid.UUID], set[uuid.UUID]]] = {
        pid: (set(), set()) for pid in person_ids
    }
    for stmt in (roles, enrolled):
        for person_id, school_id, is_open in (await session.execute(stmt)).all():
            current, ever = found[person_id]
            ever.add(school_id)
            if is_open:
                current.add(school_id)
    return found


def _pick(current: set[uuid.UUID], ever: set[uuid.UUID]) -> set[uuid.UUID]:
    return current or ever


async def belonging(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID, today: date
) -> Belonging:
    """Where `person_id` belongs today (see the module docstring for the rule)."""
    links = (
        await session.execute(
            sa.select(guardian_link.c.student_id, _open(guardian_link, today)).where(
                guardian_link.c.institution_id == institution_id,
                guardian_link.c.guardian_id == person_id,
            )
        )
    ).all()
    open_children = [student for student, is_open in links if is_open]
    children = open_children or [student for student, _ in links]
    own = await _own_schools(session, institution_id, [person_id, *children], today)
    schools = _pick(*own[person_id])
    for child in children:
        schools |= _pick(*own[child])
    staff_wide = await session.scalar(
        sa.select(role_assignment.c.id)
        .where(
            role_assignment.c.institution_id == institution_id,
            role_assignment.c.person_id == person_id,
            role_assignment.c.school_id.is_(None),
            role_assignment.c.role.in_([r.value for r in STAFF_ROLES]),
            _open(role_assignment, today),
        )
        .limit(1)
    )
    return Belonging(frozenset(schools), staff_wide is not None)
