"""Who to write to: people's names and addresses, and the groups an office invites at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.infrastructure.tables import (
    active,
    enrollment,
    guardian_link,
    person,
    role_assignment,
)
from edtech.kernel.principal import Role


def _on_roll(on: date) -> sa.ColumnElement[bool]:
    return sa.or_(person.c.ends_on.is_(None), person.c.ends_on > on)


@dataclass(frozen=True)
class Contact:
    person_id: uuid.UUID
    display_name: str
    email: str | None


async def contacts(
    session: AsyncSession, institution_id: uuid.UUID, person_ids: Iterable[uuid.UUID], on: date
) -> dict[uuid.UUID, Contact]:
    """Name and email of each of the ids that is a current person of the institution."""
    ids = list(set(person_ids))
    if not ids:
        return {}
    rows = await session.execute(
        sa.select(person.c.id, person.c.given_name, person.c.family_name, person.c.email).where(
            person.c.institution_id == institution_id, person.c.id.in_(ids), _on_roll(on)
        )
    )
    return {r.id: Contact(r.id, f"{r.given_name} {r.family_name}", r.email) for r in rows}


async def guardians_of_section(
    session: AsyncSession, institution_id: uuid.UUID, section_id: uuid.UUID, on: date
) -> list[uuid.UUID]:
    """The adults linked today (without custody restriction) to a student of the section."""
    stmt = (
        sa.select(guardian_link.c.guardian_id)
        .join(enrollment, enrollment.c.person_id == guardian_link.c.student_id)
        .where(
            guardian_link.c.institution_id == institution_id,
            enrollment.c.section_id == section_id,
            enrollment.c.role == "student",
            active(enrollment, on),
            active(guardian_link, on),
            guardian_link.c.custody_restriction.is_(False),
        )
        .order_by(guardian_link.c.guardian_id)
    )
    return list(dict.fromkeys((await session.scalars(stmt)).all()))


def people_query(institution_id: uuid.UUID, on: date, role: Role | None = None) -> sa.Select[Any]:
    """The institution's current people (id, given_name, family_name, email), optionally only
    those holding `role` today, by family then given name; for lists other slices join to."""
    stmt = sa.select(person.c.id, person.c.given_name, person.c.family_name, person.c.email).where(
        person.c.institution_id == institution_id, _on_roll(on)
    )
    if role is not None:
        holders = sa.select(role_assignment.c.person_id).where(
            role_assignment.c.institution_id == institution_id,
            role_assignment.c.role == role.value,
            active(role_assignment, on),
        )
        stmt = stmt.where(person.c.id.in_(holders))
    return stmt.order_by(person.c.family_name, person.c.given_name, person.c.id)
