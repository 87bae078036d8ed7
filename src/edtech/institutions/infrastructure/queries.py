"""Read models: the statements behind the roster's list and detail endpoints (no domain objects)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

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
from edtech.institutions.infrastructure.tables import active as _active

Where = sa.ColumnElement[bool]
student = person.alias("student")
guardian = person.alias("guardian")


def _search(q: str, *columns: Any) -> Where:
    """Case-insensitive substring match on any of the columns; % and _ in `q` match literally."""
    needle = q.strip().lower()
    return sa.or_(*(sa.func.lower(c).contains(needle, autoescape=True) for c in columns))


def schools(institution_id: uuid.UUID, *, q: str | None = None) -> sa.Select[Any]:
    stmt = sa.select(school).where(school.c.institution_id == institution_id)
    if q:
        stmt = stmt.where(_search(q, school.c.name))
    return stmt.order_by(school.c.name, school.c.id)


def terms(
    institution_id: uuid.UUID,
    *,
    kind: str | None = None,
    school_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    on: date | None = None,
) -> sa.Select[Any]:
    """Academic sessions by start date; `on` keeps those whose dates cover that day."""
    s = academic_session
    stmt = sa.select(s).where(s.c.institution_id == institution_id)
    if kind is not None:
        stmt = stmt.where(s.c.kind == kind)
    if school_id is not None:
        stmt = stmt.where(s.c.school_id == school_id)
    if parent_id is not None:
        stmt = stmt.where(s.c.parent_id == parent_id)
    if on is not None:
        stmt = stmt.where(s.c.starts_on <= on, s.c.ends_on >= on)
    return stmt.order_by(s.c.starts_on, s.c.ends_on.desc(), s.c.title, s.c.id)


def courses(
    institution_id: uuid.UUID, *, school_id: uuid.UUID | None = None, q: str | None = None
) -> sa.Select[Any]:
    stmt = sa.select(course).where(course.c.institution_id == institution_id)
    if school_id is not None:
        stmt = stmt.where(course.c.school_id == school_id)
    if q:
        stmt = stmt.where(_search(q, course.c.code, course.c.title))
    return stmt.order_by(course.c.code, course.c.id)


def sections(
    visible: Where,
    *,
    school_id: uuid.UUID | None = None,
    term_id: uuid.UUID | None = None,
    course_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    q: str | None = None,
    on: date | None = None,
) -> sa.Select[Any]:
    """Sections with their course and term titles; `person_id` keeps those the person is
    enrolled in on `on` (default: today's enrollments are judged by the caller's `on`)."""
    stmt = (
        sa.select(
            section,
            course.c.title.label("course_title"),
            academic_session.c.title.label("term_title"),
        )
        .join(course, course.c.id == section.c.course_id)
        .join(academic_session, academic_session.c.id == section.c.term_id)
        .where(visible)
    )
    if school_id is not None:
        stmt = stmt.where(section.c.school_id == school_id)
    if term_id is not None:
        stmt = stmt.where(section.c.term_id == term_id)
    if course_id is not None:
        stmt = stmt.where(section.c.course_id == course_id)
    if person_id is not None and on is not None:
        enrolled = sa.select(enrollment.c.section_id).where(
            enrollment.c.person_id == person_id, _active(enrollment, on)
        )
        stmt = stmt.where(section.c.id.in_(enrolled))
    if q:
        stmt = stmt.where(_search(q, section.c.title, section.c.code, course.c.title))
    return stmt.order_by(section.c.title, section.c.id)


def roster(
    institution_id: uuid.UUID, section_id: uuid.UUID, on: date, *, role: str | None = None
) -> sa.Select[Any]:
    """Who is in the section on `on`: teachers first, then students, by family name."""
    stmt = (
        sa.select(
            enrollment.c.id.label("enrollment_id"),
            enrollment.c.person_id,
            enrollment.c.role,
            enrollment.c.is_primary,
            enrollment.c.begins_on,
            enrollment.c.ends_on,
            person.c.given_name,
            person.c.family_name,
            person.c.email,
            person.c.grade_level,
        )
        .join(person, person.c.id == enrollment.c.person_id)
        .where(
            enrollment.c.institution_id == institution_id,
            enrollment.c.section_id == section_id,
            _active(enrollment, on),
        )
    )
    if role is not None:
        stmt = stmt.where(enrollment.c.role == role)
    order = sa.case((enrollment.c.role == "teacher", 0), (enrollment.c.role == "aide", 1), else_=2)
    return stmt.order_by(order, person.c.family_name, person.c.given_name, enrollment.c.id)


def people(
    visible: Where,
    on: date,
    *,
    role: str | None = None,
    school_id: uuid.UUID | None = None,
    section_id: uuid.UUID | None = None,
    q: str | None = None,
    active: bool | None = None,
) -> sa.Select[Any]:
    """People by family then given name. `role` and `school_id` match roles held on `on`
    (for a school: a role there, or an enrollment in one of its sections)."""
    stmt = sa.select(person).where(visible)
    if role is not None or school_id is not None:
        held = sa.select(role_assignment.c.person_id).where(_active(role_assignment, on))
        if role is not None:
            held = held.where(role_assignment.c.role == role)
        if school_id is not None:
            held = held.where(role_assignment.c.school_id == school_id)
            enrolled = (
                sa.select(enrollment.c.person_id)
                .join(section, section.c.id == enrollment.c.section_id)
                .where(section.c.school_id == school_id, _active(enrollment, on))
            )
            if role is None:
                stmt = stmt.where(sa.or_(person.c.id.in_(held), person.c.id.in_(enrolled)))
            else:
                stmt = stmt.where(person.c.id.in_(held.union(_role_in_school(role, school_id, on))))
        else:
            stmt = stmt.where(person.c.id.in_(held))
    if section_id is not None:
        in_section = sa.select(enrollment.c.person_id).where(
            enrollment.c.section_id == section_id, _active(enrollment, on)
        )
        stmt = stmt.where(person.c.id.in_(in_section))
    if q:
        full = person.c.given_name + " " + person.c.family_name
        stmt = stmt.where(_search(q, full, person.c.email, person.c.sourced_id))
    if active is True:
        stmt = stmt.where(sa.or_(person.c.ends_on.is_(None), person.c.ends_on > on))
    elif active is False:
        stmt = stmt.where(person.c.ends_on <= on)
    return stmt.order_by(person.c.family_name, person.c.given_name, person.c.id)


def _role_in_school(role: str, school_id: uuid.UUID, on: date) -> sa.Select[Any]:
    """Institution-wide holders of `role` who are enrolled in a section of the school."""
    return (
        sa.select(enrollment.c.person_id)
        .join(section, section.c.id == enrollment.c.section_id)
        .join(role_assignment, role_assignment.c.person_id == enrollment.c.person_id)
        .where(
            section.c.school_id == school_id,
            _active(enrollment, on),
            role_assignment.c.role == role,
            role_assignment.c.school_id.is_(None),
            _active(role_assignment, on),
        )
    )


async def roles_of(
    session: AsyncSession,
    institution_id: uuid.UUID,
    person_ids: list[uuid.UUID],
    on: date,
    *,
    current_only: bool = True,
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Role assignments of several people at once (held on `on`, or all of them)."""
    if not person_ids:
        return {}
    stmt = sa.select(role_assignment).where(
        role_assignment.c.institution_id == institution_id,
        role_assignment.c.person_id.in_(person_ids),
    )
    if current_only:
        stmt = stmt.where(_active(role_assignment, on))
    stmt = stmt.order_by(role_assignment.c.begins_on, role_assignment.c.id)
    out: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for r in (await session.execute(stmt)).mappings():
        out[r["person_id"]].append(dict(r))
    return out


def enrollments(
    visible: Where,
    on: date,
    *,
    section_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    role: str | None = None,
    active: bool | None = None,
) -> sa.Select[Any]:
    stmt = (
        sa.select(
            enrollment,
            section.c.title.label("section_title"),
            (person.c.given_name + " " + person.c.family_name).label("person_name"),
        )
        .join(section, section.c.id == enrollment.c.section_id)
        .join(person, person.c.id == enrollment.c.person_id)
        .where(visible)
    )
    if section_id is not None:
        stmt = stmt.where(enrollment.c.section_id == section_id)
    if person_id is not None:
        stmt = stmt.where(enrollment.c.person_id == person_id)
    if role is not None:
        stmt = stmt.where(enrollment.c.role == role)
    if active is True:
        stmt = stmt.where(_active(enrollment, on))
    elif active is False:
        stmt = stmt.where(sa.not_(_active(enrollment, on)))
    return stmt.order_by(enrollment.c.id)


def guardian_links(
    visible: Where,
    on: date,
    *,
    student_id: uuid.UUID | None = None,
    guardian_id: uuid.UUID | None = None,
    active: bool | None = None,
) -> sa.Select[Any]:
    stmt = (
        sa.select(
            guardian_link,
            (student.c.given_name + " " + student.c.family_name).label("student_name"),
            (guardian.c.given_name + " " + guardian.c.family_name).label("guardian_name"),
        )
        .join(student, student.c.id == guardian_link.c.student_id)
        .join(guardian, guardian.c.id == guardian_link.c.guardian_id)
        .where(visible)
    )
    if student_id is not None:
        stmt = stmt.where(guardian_link.c.student_id == student_id)
    if guardian_id is not None:
        stmt = stmt.where(guardian_link.c.guardian_id == guardian_id)
    if active is True:
        stmt = stmt.where(_active(guardian_link, on))
    elif active is False:
        stmt = stmt.where(sa.not_(_active(guardian_link, on)))
    return stmt.order_by(
        guardian_link.c.student_id, guardian_link.c.contact_priority, guardian_link.c.id
    )


async def my_sections(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID, on: date
) -> list[Row[Any]]:
    """The sections the person is enrolled in on `on` (with their role), by title."""
    stmt: sa.Select[Any] = (
        sa.select(
            section.c.id.label("section_id"),
            section.c.title,
            section.c.school_id,
            course.c.title.label("course_title"),
            enrollment.c.role,
            enrollment.c.is_primary,
        )
        .join(section, section.c.id == enrollment.c.section_id)
        .join(course, course.c.id == section.c.course_id)
        .where(
            enrollment.c.institution_id == institution_id,
            enrollment.c.person_id == person_id,
            _active(enrollment, on),
        )
        .order_by(section.c.title, section.c.id)
    )
    return list((await session.execute(stmt)).all())


async def my_children(
    session: AsyncSession, visible_links: Where, guardian_id: uuid.UUID, on: date
) -> list[Row[Any]]:
    """The guardian's children through links in force on `on` (never under a custody
    restriction), with what each link allows, by name."""
    stmt: sa.Select[Any] = (
        sa.select(
            guardian_link.c.id.label("link_id"),
            guardian_link.c.student_id,
            guardian_link.c.relationship,
            guardian_link.c.can_view_attendance,
            guardian_link.c.can_view_grades,
            guardian_link.c.can_view_billing,
            guardian_link.c.can_message,
            person.c.given_name,
            person.c.family_name,
            person.c.grade_level,
        )
        .join(person, person.c.id == guardian_link.c.student_id)
        .where(
            visible_links,
            guardian_link.c.guardian_id == guardian_id,
            guardian_link.c.custody_restriction.is_(False),
            _active(guardian_link, on),
        )
        .order_by(person.c.family_name, person.c.given_name, person.c.id)
    )
    return list((await session.execute(stmt)).all())


# -- one row by id, for the detail routes (None: missing, another institution's, or not visible)


async def _first(session: AsyncSession, stmt: sa.Select[Any]) -> Row[Any] | None:
    row: Row[Any] | None = (await session.execute(stmt)).first()
    return row


async def institution_row(session: AsyncSession, institution_id: uuid.UUID) -> Row[Any] | None:
    return await _first(session, sa.select(institution).where(institution.c.id == institution_id))


async def school_row(
    session: AsyncSession, institution_id: uuid.UUID, school_id: uuid.UUID
) -> Row[Any] | None:
    stmt = sa.select(school).where(
        school.c.institution_id == institution_id, school.c.id == school_id
    )
    return await _first(session, stmt)


async def term_row(
    session: AsyncSession, institution_id: uuid.UUID, term_id: uuid.UUID
) -> Row[Any] | None:
    s = academic_session
    stmt = sa.select(s).where(s.c.institution_id == institution_id, s.c.id == term_id)
    return await _first(session, stmt)


async def course_row(
    session: AsyncSession, institution_id: uuid.UUID, course_id: uuid.UUID
) -> Row[Any] | None:
    stmt = sa.select(course).where(
        course.c.institution_id == institution_id, course.c.id == course_id
    )
    return await _first(session, stmt)


async def person_row(
    session: AsyncSession, visible_people: Where, person_id: uuid.UUID
) -> Row[Any] | None:
    """The person, if `visible_people` (the caller's policy) lets the caller see them."""
    stmt = sa.select(person).where(person.c.id == person_id, visible_people)
    return await _first(session, stmt)


async def section_row(
    session: AsyncSession, visible_sections: Where, section_id: uuid.UUID
) -> Row[Any] | None:
    """The section (as `sections` lists it), if the caller's policy lets them see it."""
    return await _first(session, sections(visible_sections).where(section.c.id == section_id))


async def enrollment_row(
    session: AsyncSession, visible_enrollments: Where, on: date, enrollment_id: uuid.UUID
) -> Row[Any] | None:
    """The enrollment (as `enrollments` lists it), if the caller's policy lets them see it."""
    stmt = enrollments(visible_enrollments, on).where(enrollment.c.id == enrollment_id)
    return await _first(session, stmt)


async def guardian_link_row(
    session: AsyncSession, visible_links: Where, on: date, link_id: uuid.UUID
) -> Row[Any] | None:
    """The guardian link (as `guardian_links` lists it), if the caller's policy lets them see it."""
    stmt = guardian_links(visible_links, on).where(guardian_link.c.id == link_id)
    return await _first(session, stmt)
