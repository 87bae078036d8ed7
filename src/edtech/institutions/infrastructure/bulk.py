"""Bulk writing of a whole roster in a few statements (seeding and imports, not use cases).

Rows are collected in memory and inserted per table in foreign-key order, hundreds per
statement. No aggregates are loaded and no events are raised: use it for a roster nobody
is watching yet (the demo school, a first import), never for day-to-day changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.domain import MeetingTime
from edtech.institutions.infrastructure.tables import (
    academic_session,
    course,
    enrollment,
    guardian_link,
    institution,
    person,
    role_assignment,
    school,
    section,
)
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Role

ORDER: tuple[sa.Table, ...] = (institution, school, academic_session, course, section, person)
ORDER += (role_assignment, enrollment, guardian_link)
CHUNK = 500

LINK_DEFAULTS: dict[str, Any] = {
    "relationship": "parent",
    "legal_guardian": True,
    "lives_with": True,
    "contact_priority": 1,
    "custody_restriction": False,
    "custody_note": None,
    "can_view_attendance": True,
    "can_view_grades": True,
    "can_view_billing": True,
    "can_message": True,
}


class RosterBulk:
    """Collects one institution's roster rows; `write` inserts them all in one transaction."""

    def __init__(
        self,
        *,
        slug: str,
        name: str,
        timezone: str,
        locale: str,
        currency: str,
        now: datetime,
        begins_on: date,
    ) -> None:
        self.institution_id = new_id()
        self.now = now
        self.begins_on = begins_on
        """When the seeded roles, enrollments and links begin."""
        self.rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in ORDER}
        self.rows["institution"].append(
            {
                "id": self.institution_id,
                "slug": slug,
                "name": name,
                "timezone": timezone,
                "locale": locale,
                "currency": currency,
                "created_at": now,
            }
        )
        self.emails: dict[str, uuid.UUID] = {}

    def _add(self, table: sa.Table, **values: Any) -> uuid.UUID:
        row_id = new_id()
        self.rows[table.name].append(
            {"id": row_id, "institution_id": self.institution_id, **values}
        )
        return row_id

    def school(self, name: str, timezone: str | None = None) -> uuid.UUID:
        return self._add(
            school, name=name, org_type="school", parent_id=None, timezone=timezone, sourced_id=None
        )

    def academic_session(
        self,
        kind: str,
        title: str,
        starts_on: date,
        ends_on: date,
        parent_id: uuid.UUID | None = None,
        closes_on: date | None = None,
    ) -> uuid.UUID:
        if kind == "grading_period" and closes_on is None:
            closes_on = ends_on
        return self._add(
            academic_session,
            kind=kind,
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            school_id=None,
            parent_id=parent_id,
            closes_on=closes_on,
        )

    def course(self, school_id: uuid.UUID, code: str, title: str) -> uuid.UUID:
        return self._add(course, school_id=school_id, code=code, title=title, sourced_id=None)

    def section(
        self,
        school_id: uuid.UUID,
        course_id: uuid.UUID,
        term_id: uuid.UUID,
        title: str,
        code: str,
        room: str,
        meetings: tuple[MeetingTime, ...],
    ) -> uuid.UUID:
        return self._add(
            section,
            school_id=school_id,
            course_id=course_id,
            term_id=term_id,
            title=title,
            code=code,
            room=room,
            class_type="scheduled",
            meetings=meetings,
            sourced_id=None,
        )

    def person(
        self,
        given_name: str,
        family_name: str,
        email: str | None,
        *,
        grade_level: str | None = None,
        birth_date: date | None = None,
    ) -> uuid.UUID:
        person_id = self._add(
            person,
            given_name=given_name,
            family_name=family_name,
            email=email,
            sourced_id=None,
            grade_level=grade_level,
            birth_date=birth_date,
            ends_on=None,
            created_at=self.now,
        )
        if email:
            self.emails[email] = person_id
        return person_id

    def role(self, person_id: uuid.UUID, role: Role, school_id: uuid.UUID | None = None) -> None:
        self._add(
            role_assignment,
            person_id=person_id,
            role=role.value,
            school_id=school_id,
            begins_on=self.begins_on,
            ends_on=None,
        )

    def enroll(
        self, section_id: uuid.UUID, person_id: uuid.UUID, role: str, primary: bool = False
    ) -> None:
        self._add(
            enrollment,
            section_id=section_id,
            person_id=person_id,
            role=role,
            is_primary=primary,
            begins_on=self.begins_on,
            ends_on=None,
            created_at=self.now,
        )

    def link(self, student_id: uuid.UUID, guardian_id: uuid.UUID, **flags: Any) -> None:
        """Link with every right by default; `flags` overrides any guardian-link column."""
        self._add(
            guardian_link,
            student_id=student_id,
            guardian_id=guardian_id,
            **{**LINK_DEFAULTS, **flags},
            begins_on=self.begins_on,
            ends_on=None,
            created_at=self.now,
        )

    async def write(
        self, session: AsyncSession, progress: Callable[[str, int], None] | None = None
    ) -> None:
        """Insert everything (the caller commits); `progress(table, rows)` after each table."""
        for table in ORDER:
            rows = self.rows[table.name]
            for start in range(0, len(rows), CHUNK):
                await session.execute(sa.insert(table), rows[start : start + CHUNK])
            if progress:
                progress(table.name, len(rows))
