"""Billing's view of a student, from the roster (both dialects): what item targeting (school,
grade, section) is judged by."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.billing.infrastructure.roster import InstitutionsRoster
from edtech.demo import DemoSummary
from edtech.institutions.infrastructure.tables import enrollment
from edtech.institutions.public import Policy


async def test_a_students_profile_names_their_school_and_the_sections_they_attend(
    session: AsyncSession, demo: DemoSummary
) -> None:
    today = datetime.now(UTC).date()
    inst, student1 = demo.institution_id, demo.student1_id
    northside = demo.school_ids[0]
    s01, s02, _ = demo.section_ids
    roster = InstitutionsRoster(session)
    profile = await roster.student_profile(inst, student1, today)
    assert profile is not None
    assert profile.section_ids == {s01, s02}
    assert profile.school_ids == {northside}
    taught = await Policy(session, today=today).sections_of_person(inst, demo.teacher1_id)
    assert taught, "teacher1 teaches a section"
    assert await roster.student_profile(inst, demo.teacher1_id, today) is None  # not a student
    # an enrollment that ended today no longer counts
    await session.execute(
        sa.update(enrollment)
        .where(enrollment.c.person_id == student1, enrollment.c.section_id == s02)
        .values(ends_on=today)
    )
    profile = await roster.student_profile(inst, student1, today)
    assert profile is not None
    assert profile.section_ids == {s01}
