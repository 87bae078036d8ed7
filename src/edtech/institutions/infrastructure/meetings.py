"""Concrete meetings: each section's weekly pattern, within its term, in its school's zone;
and the other facts judged on a school's own day (its clock, the sections in term, the
sections a student is enrolled in today)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.domain import EnrollmentRole, Meeting, Section
from edtech.institutions.infrastructure.tables import (
    academic_session,
    enrollment,
    institution,
    school,
    section,
)
from edtech.kernel.clock import Clock, SchoolClock, school_zone

_ZONE = sa.func.coalesce(school.c.timezone, institution.c.timezone).label("zone")
"""A section's zone: its school's, else its institution's (needs `_zoned`'s joins)."""


def _zoned(stmt: sa.Select[Any]) -> sa.Select[Any]:
    """`stmt` over sections, joined to the school and institution that `_ZONE` reads."""
    return stmt.join(school, school.c.id == section.c.school_id).join(
        institution, institution.c.id == section.c.institution_id
    )


async def _sections_with_zone(
    session: AsyncSession,
    institution_id: uuid.UUID,
    first: date,
    last: date,
    section_id: uuid.UUID | None,
) -> list[tuple[Section, str, date, date]]:
    stmt = (
        _zoned(sa.select(Section, _ZONE, academic_session.c.starts_on, academic_session.c.ends_on))
        .join(academic_session, academic_session.c.id == section.c.term_id)
        .where(
            section.c.institution_id == institution_id,
            academic_session.c.starts_on <= last,
            academic_session.c.ends_on >= first,
        )
        .order_by(section.c.id)
    )
    if section_id is not None:
        stmt = stmt.where(section.c.id == section_id)
    rows = (await session.execute(stmt)).all()
    return [(r[0], r.zone, r.starts_on, r.ends_on) for r in rows]


async def section_zone(
    session: AsyncSession, institution_id: uuid.UUID, section_id: uuid.UUID
) -> str | None:
    """The time zone the section meets in (its school's, else its institution's), or None
    when the institution has no such section."""
    stmt = _zoned(sa.select(_ZONE).select_from(section)).where(
        section.c.institution_id == institution_id, section.c.id == section_id
    )
    zone: str | None = (await session.execute(stmt)).scalar_one_or_none()
    return zone


async def meetings_on(
    session: AsyncSession, institution_id: uuid.UUID, day: date, section_id: uuid.UUID | None = None
) -> list[Meeting]:
    """Every concrete meeting on `day` (a date in each school's zone) of sections whose term
    covers that day, ordered by start time; `section_id` narrows it to one section."""
    return await section_meetings(session, institution_id, day, day, section_id)


async def section_meetings(
    session: AsyncSession,
    institution_id: uuid.UUID,
    first: date,
    last: date,
    section_id: uuid.UUID | None = None,
) -> list[Meeting]:
    """Concrete meetings from `first` to `last` inclusive, within each section's term."""
    out: list[Meeting] = []
    for sec, zone, starts_on, ends_on in await _sections_with_zone(
        session, institution_id, first, last, section_id
    ):
        out.extend(sec.meetings_between(max(first, starts_on), min(last, ends_on), zone))
    return sorted(out, key=lambda m: (m.starts_at, str(m.section_id)))


_INSTITUTION_ZONE = sa.select(institution.c.timezone).where(
    institution.c.id == sa.bindparam("institution_id")
)
"""Asked by every request that judges a date in the institution's zone: built once."""


async def school_zone_name(
    session: AsyncSession, institution_id: uuid.UUID, school_id: uuid.UUID | None = None
) -> str | None:
    """The time zone a school keeps (its own, else its institution's); the institution's when
    `school_id` is None; None when the institution (or that school of it) is unknown."""
    if school_id is None:
        found = await session.execute(_INSTITUTION_ZONE, {"institution_id": institution_id})
    else:
        found = await session.execute(
            sa.select(_ZONE)
            .select_from(school)
            .join(institution, institution.c.id == school.c.institution_id)
            .where(school.c.institution_id == institution_id, school.c.id == school_id)
        )
    zone: str | None = found.scalar_one_or_none()
    return zone


async def school_clock(
    session: AsyncSession,
    clock: Clock,
    institution_id: uuid.UUID,
    school_id: uuid.UUID | None = None,
) -> SchoolClock:
    """The `SchoolClock` of a school (or of the institution): `clock` read in its zone."""
    return SchoolClock(
        clock, school_zone(await school_zone_name(session, institution_id, school_id))
    )


async def sections_in_term_on(
    session: AsyncSession, institution_id: uuid.UUID, day: date, school_ids: set[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """Section id → school id, for the sections of these schools whose term covers `day`."""
    if not school_ids:
        return {}
    stmt = (
        sa.select(section.c.id, section.c.school_id)
        .join(academic_session, academic_session.c.id == section.c.term_id)
        .where(
            section.c.institution_id == institution_id,
            section.c.school_id.in_(school_ids),
            academic_session.c.starts_on <= day,
            academic_session.c.ends_on >= day,
        )
    )
    return {r.id: r.school_id for r in await session.execute(stmt)}


async def sections_of_students(
    session: AsyncSession, clock: Clock, institution_id: uuid.UUID, students: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[uuid.UUID, ...]]:
    """The sections each student is enrolled in (as a student) today at the section's school,
    by section id; students enrolled nowhere today are left out. One statement, whatever the
    number of students: a school's day is within a day of the UTC date (zones run from UTC−12
    to UTC+14), so the enrolments that may hold on any of those three days are read with
    their section's zone and each is judged on its own school's day here."""
    ids = sorted(set(students), key=str)
    if not ids:
        return {}
    utc_day = clock.now().date()
    e = enrollment
    stmt = _zoned(
        sa.select(e.c.person_id, e.c.section_id, e.c.begins_on, e.c.ends_on, _ZONE).select_from(
            e.join(section, section.c.id == e.c.section_id)
        )
    ).where(
        e.c.institution_id == institution_id,
        e.c.person_id.in_(ids),
        e.c.role == EnrollmentRole.STUDENT.value,
        e.c.begins_on <= utc_day + timedelta(days=1),
        sa.or_(e.c.ends_on.is_(None), e.c.ends_on > utc_day - timedelta(days=1)),
    )
    today: dict[str | None, date] = {}
    found: dict[uuid.UUID, set[uuid.UUID]] = {}
    for r in await session.execute(stmt):
        if r.zone not in today:
            today[r.zone] = SchoolClock(clock, school_zone(r.zone)).today()
        day = today[r.zone]
        if r.begins_on <= day and (r.ends_on is None or r.ends_on > day):
            found.setdefault(r.person_id, set()).add(r.section_id)
    return {s: tuple(sorted(found[s], key=str)) for s in ids if s in found}
