"""What the roster hands other slices for documents: section titles, and a student's roster
data with their guardian links for their record package (Core reads)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.infrastructure.tables import (
    enrollment,
    guardian_link,
    person,
    role_assignment,
    section,
)


async def section_titles(
    session: AsyncSession, institution_id: uuid.UUID, section_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The title of each of the sections that belongs to the institution."""
    ids = list(set(section_ids))
    if not ids:
        return {}
    rows = await session.execute(
        sa.select(section.c.id, section.c.title).where(
            section.c.institution_id == institution_id, section.c.id.in_(ids)
        )
    )
    return {r.id: r.title for r in rows}


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]


async def student_roster_record(
    session: AsyncSession, institution_id: uuid.UUID, student_id: uuid.UUID
) -> dict[str, list[dict[str, Any]]]:
    """The student's person row, roles, enrollments (with section titles) and guardian links
    (with each guardian's name and email): what the roster holds about them. Empty if the
    student is not a person of the institution."""
    people = _rows(
        await session.execute(
            sa.select(person).where(
                person.c.institution_id == institution_id, person.c.id == student_id
            )
        )
    )
    if not people:
        return {"person": [], "roles": [], "enrollments": [], "guardian_links": []}
    roles = _rows(
        await session.execute(
            sa.select(role_assignment)
            .where(role_assignment.c.person_id == student_id)
            .order_by(role_assignment.c.begins_on, role_assignment.c.id)
        )
    )
    enrollments = _rows(
        await session.execute(
            sa.select(enrollment, section.c.title.label("section_title"))
            .join(section, section.c.id == enrollment.c.section_id)
            .where(enrollment.c.person_id == student_id)
            .order_by(enrollment.c.begins_on, enrollment.c.id)
        )
    )
    guardian = person.alias("guardian")
    links = _rows(
        await session.execute(
            sa.select(
                guardian_link,
                guardian.c.given_name.label("guardian_given_name"),
                guardian.c.family_name.label("guardian_family_name"),
                guardian.c.email.label("guardian_email"),
            )
            .join(guardian, guardian.c.id == guardian_link.c.guardian_id)
            .where(guardian_link.c.student_id == student_id)
            .order_by(guardian_link.c.contact_priority, guardian_link.c.id)
        )
    )
    return {"person": people, "roles": roles, "enrollments": enrollments, "guardian_links": links}
