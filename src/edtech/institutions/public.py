"""What other slices may use from the roster: permissions, grants, facts and meetings.

This is the only module of `edtech.institutions` other slices import.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.application.open_institution import (
    NewTenant,
    OpenedTenant,
    open_institution,
    slug_for,
)
from edtech.institutions.application.reactivate_institution import ReactivateInstitution
from edtech.institutions.application.suspend_institution import SuspendInstitution
from edtech.institutions.domain import (
    GUARDIAN_FLAGS,
    EnrollmentChanged,
    EnrollmentEnded,
    Meeting,
    MeetingTime,
    PersonEnrolled,
    PersonErased,
    Weekday,
)
from edtech.institutions.infrastructure import profiles
from edtech.institutions.infrastructure.bulk import ORDER, RosterBulk
from edtech.institutions.infrastructure.directory import (
    Contact,
    contacts,
    guardians_of_section,
    people_query,
)
from edtech.institutions.infrastructure.exports import section_titles, student_roster_record
from edtech.institutions.infrastructure.meetings import (
    meetings_on,
    school_clock,
    school_zone_name,
    section_meetings,
    section_zone,
    sections_in_term_on,
    sections_of_students,
)
from edtech.institutions.infrastructure.profiles import (
    ChildFacts,
    GrantsAtWhere,
    GrantsOfMany,
    PersonCondition,
    PersonGrants,
    RosterProfile,
)
from edtech.institutions.infrastructure.sync import RosterSync
from edtech.institutions.infrastructure.sync_batch import BATCH_KINDS, RosterBatch
from edtech.institutions.infrastructure.tables import (
    academic_session as academic_session_table,
)
from edtech.institutions.infrastructure.tables import (
    institution,
    person,
    role_assignment,
    school,
    section,
)
from edtech.institutions.infrastructure.tenancy import institutions_query, suspended
from edtech.institutions.policy import (
    OFFICE_ROLES,
    GuardianLinkView,
    Policy,
    SectionMembership,
    active,
)
from edtech.kernel.principal import Principal, Role
from edtech.platform.db.bulk import among_bound
from edtech.platform.db.driver import DriverStatement

__all__ = [
    "BATCH_KINDS",
    "GUARDIAN_FLAGS",
    "OFFICE_ROLES",
    "AcademicSessionInfo",
    "ChildFacts",
    "Contact",
    "EnrollmentChanged",
    "EnrollmentEnded",
    "GrantsAtWhere",
    "GrantsOfMany",
    "GuardianLinkView",
    "InstitutionSettings",
    "Meeting",
    "MeetingTime",
    "NewTenant",
    "OpenedTenant",
    "PersonCondition",
    "PersonEnrolled",
    "PersonErased",
    "PersonGrants",
    "Policy",
    "ReactivateInstitution",
    "RosterBatch",
    "RosterBulk",
    "RosterProfile",
    "RosterSync",
    "SectionMembership",
    "SuspendInstitution",
    "Weekday",
    "academic_session",
    "academic_sessions_on",
    "academic_sessions_under",
    "acting_as",
    "contacts",
    "display_names",
    "grade_level",
    "guardians_of_section",
    "institution_and_names",
    "institution_by_slug",
    "institution_settings",
    "institution_suspended",
    "institutions_query",
    "meetings_on",
    "open_institution",
    "people_by_email",
    "people_query",
    "people_with_roles",
    "person_grants",
    "person_grants_at",
    "person_in_institution",
    "person_with_email",
    "roster_counts",
    "roster_profile",
    "roster_profiles",
    "roster_rows",
    "school_clock",
    "school_in_institution",
    "school_zone_name",
    "schools_of_institution",
    "section_in_institution",
    "section_meetings",
    "section_titles",
    "section_zone",
    "sections_in_term_on",
    "sections_of_institution",
    "sections_of_students",
    "slug_for",
    "student_roster_record",
    "students_of_section",
    "teachers_of_section",
]


@dataclass(frozen=True)
class InstitutionSettings:
    id: uuid.UUID
    name: str
    timezone: str
    locale: str
    currency: str


async def person_grants(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID, on: date
) -> PersonGrants | None:
    """The person's name and the roles they hold on the school day `on`; None if unknown here
    or gone, or if the institution is suspended (so sign-in, tokens and sockets refuse them)."""
    return await profiles.grants_on(session, institution_id, person_id, on)


async def person_grants_at(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID, at: datetime
) -> PersonGrants | None:
    """`person_grants` at the instant `at`, judged on the institution's calendar day then (in its
    time zone, never the UTC date): what every token, sign-in and socket is checked for. One
    round trip reads the person, their roles and the zone together."""
    return await profiles.grants_at(session, institution_id, person_id, at)


async def roster_profile(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID, on: date
) -> RosterProfile | None:
    """Who the person is on the school day `on` — name, roles, the sections they teach or attend,
    and (for a guardian) each child of a link without custody restriction, with whether it
    allows messaging and the child's sections — in one round trip; None if unknown here or
    gone, or if the institution is suspended. What the messaging policy judges by."""
    return await profiles.profile_on(session, institution_id, person_id, on)


async def roster_profiles(
    session: AsyncSession, institution_id: uuid.UUID, person_ids: Iterable[uuid.UUID], on: date
) -> dict[uuid.UUID, RosterProfile]:
    """`roster_profile` of several people in one round trip (a message's sender and the person
    they write to), by id; those unknown here or gone are left out."""
    return await profiles.profiles_on(session, institution_id, person_ids, on)


async def acting_as(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID, on: date
) -> Principal:
    """A `Principal` for a person of the roster, for work the system does in their name without
    a sign-in (demo seeds, scripted jobs): their roles on `on`; `account_id` is the person's id.
    Raises LookupError if the person is unknown here or gone."""
    grants = await person_grants(session, institution_id, person_id, on)
    if grants is None:
        raise LookupError(f"person {person_id} not found")
    return Principal(
        account_id=person_id,
        person_id=person_id,
        institution_id=institution_id,
        display_name=grants.display_name,
        grants=grants.grants,
    )


_INSTITUTION = sa.select(institution).where(institution.c.id == sa.bindparam("institution_id"))
_NAMES = sa.select(person.c.id, person.c.given_name, person.c.family_name).where(
    person.c.institution_id == sa.bindparam("institution_id"),
    person.c.id.in_(sa.bindparam("ids", expanding=True)),
)


def _settings_and_names(*, postgresql: bool) -> sa.Select[Any]:
    return (
        sa.select(
            institution,
            person.c.id.label("person_id"),
            person.c.given_name,
            person.c.family_name,
        )
        .select_from(
            institution.outerjoin(
                person,
                sa.and_(
                    person.c.institution_id == institution.c.id,
                    among_bound(person.c.id, "ids", postgresql=postgresql),
                ),
            )
        )
        .where(institution.c.id == sa.bindparam("institution_id"))
    )


_SETTINGS_AND_NAMES = DriverStatement.per_dialect(_settings_and_names)
# (each asked on every chat message or notification: built once, values bound later)


async def institution_settings(
    session: AsyncSession, institution_id: uuid.UUID
) -> InstitutionSettings | None:
    """The tenant's name, time zone, locale and ISO 4217 currency."""
    row = (await session.execute(_INSTITUTION, {"institution_id": institution_id})).first()
    return None if row is None else _settings(row)


def _settings(row: Any) -> InstitutionSettings:
    return InstitutionSettings(row.id, row.name, row.timezone, row.locale, row.currency)


async def institution_suspended(session: AsyncSession, institution_id: uuid.UUID) -> bool:
    """Whether the institution is out of service now (a platform operator suspended it)."""
    return bool(await session.scalar(sa.select(suspended(institution_id))))


async def school_in_institution(
    session: AsyncSession, institution_id: uuid.UUID, school_id: uuid.UUID
) -> bool:
    stmt = sa.select(school.c.id).where(
        school.c.institution_id == institution_id, school.c.id == school_id
    )
    return await session.scalar(stmt) is not None


async def person_in_institution(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID
) -> bool:
    return await Policy(session).person_in_institution(institution_id, person_id)


async def section_in_institution(
    session: AsyncSession, institution_id: uuid.UUID, section_id: uuid.UUID
) -> bool:
    return await Policy(session).section_in_institution(institution_id, section_id)


async def students_of_section(
    session: AsyncSession, institution_id: uuid.UUID, section_id: uuid.UUID, on: date | None = None
) -> list[uuid.UUID]:
    """Ids of the students enrolled in the section on `on` (default today), by name."""
    return await Policy(session, today=on).students_of_section(institution_id, section_id)


async def teachers_of_section(
    session: AsyncSession, institution_id: uuid.UUID, section_id: uuid.UUID, on: date | None = None
) -> list[uuid.UUID]:
    """Ids of the teachers and aides of the section on `on`, primary teacher first."""
    return await Policy(session, today=on).teachers_of_section(institution_id, section_id)


async def display_names(
    session: AsyncSession, institution_id: uuid.UUID, person_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """ "Given Family" for each of the ids that exist in the institution."""
    ids = list(set(person_ids))
    if not ids:
        return {}
    rows = await session.execute(_NAMES, {"institution_id": institution_id, "ids": ids})
    return {r.id: f"{r.given_name} {r.family_name}" for r in rows}


async def institution_and_names(
    session: AsyncSession, institution_id: uuid.UUID, person_ids: Iterable[uuid.UUID]
) -> tuple[InstitutionSettings | None, dict[uuid.UUID, str]]:
    """`institution_settings` and `display_names` together, in one round trip (what the words
    of a notification need)."""
    params = {"institution_id": institution_id, "ids": list(set(person_ids))}
    rows = await _SETTINGS_AND_NAMES.rows(session, params)
    if not rows:
        return None, {}
    names = {
        r.person_id: f"{r.given_name} {r.family_name}" for r in rows if r.person_id is not None
    }
    return _settings(rows[0]), names


async def institution_by_slug(session: AsyncSession, slug: str) -> uuid.UUID | None:
    found: uuid.UUID | None = await session.scalar(
        sa.select(institution.c.id).where(institution.c.slug == slug)
    )
    return found


async def people_by_email(session: AsyncSession, institution_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Person id by email, for everyone of the institution who has one."""
    rows = await session.execute(
        sa.select(person.c.email, person.c.id).where(
            person.c.institution_id == institution_id, person.c.email.is_not(None)
        )
    )
    return {r.email: r.id for r in rows}


async def person_with_email(
    session: AsyncSession, institution_id: uuid.UUID, email: str
) -> uuid.UUID | None:
    """The person of the institution whose roster address is `email` (compared lowercase)."""
    rows = await session.scalars(
        sa.select(person.c.id)
        .where(
            person.c.institution_id == institution_id,
            sa.func.lower(person.c.email) == email.strip().lower(),
        )
        .limit(2)
    )
    found = list(rows)
    return found[0] if len(found) == 1 else None


async def schools_of_institution(
    session: AsyncSession, institution_id: uuid.UUID
) -> list[uuid.UUID]:
    """School ids by name."""
    stmt = (
        sa.select(school.c.id)
        .where(school.c.institution_id == institution_id)
        .order_by(school.c.name, school.c.id)
    )
    return list((await session.scalars(stmt)).all())


async def sections_of_institution(
    session: AsyncSession, institution_id: uuid.UUID
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(section id, term id) pairs by section code."""
    stmt = (
        sa.select(section.c.id, section.c.term_id)
        .where(section.c.institution_id == institution_id)
        .order_by(section.c.code, section.c.id)
    )
    return [(r.id, r.term_id) for r in await session.execute(stmt)]


async def roster_counts(session: AsyncSession, institution_id: uuid.UUID) -> dict[str, int]:
    """How many rows of each roster table the institution has (for summaries and checks)."""
    counts: dict[str, int] = {}
    for table in ORDER[1:]:
        stmt = (
            sa.select(sa.func.count())
            .select_from(table)
            .where(table.c.institution_id == institution_id)
        )
        counts[table.name] = int(await session.scalar(stmt) or 0)
    return counts


@dataclass(frozen=True)
class AcademicSessionInfo:
    """A school year, term or grading period; grades lock after a grading period's `closes_on`."""

    id: uuid.UUID
    kind: str
    title: str
    starts_on: date
    ends_on: date
    closes_on: date | None
    parent_id: uuid.UUID | None
    school_id: uuid.UUID | None


def _session_info(row: Any) -> AcademicSessionInfo:
    return AcademicSessionInfo(
        row.id,
        str(row.kind),
        row.title,
        row.starts_on,
        row.ends_on,
        row.closes_on,
        row.parent_id,
        row.school_id,
    )


async def academic_session(
    session: AsyncSession, institution_id: uuid.UUID, session_id: uuid.UUID
) -> AcademicSessionInfo | None:
    """One academic session of the institution (None if unknown here)."""
    t = academic_session_table
    stmt = sa.select(t).where(t.c.institution_id == institution_id, t.c.id == session_id)
    row = (await session.execute(stmt)).first()
    return None if row is None else _session_info(row)


async def academic_sessions_on(
    session: AsyncSession, institution_id: uuid.UUID, on: date, kind: str | None = None
) -> list[AcademicSessionInfo]:
    """The sessions whose dates cover `on` (e.g. kind="grading_period": the current period)."""
    t = academic_session_table
    stmt = sa.select(t).where(
        t.c.institution_id == institution_id, t.c.starts_on <= on, t.c.ends_on >= on
    )
    if kind is not None:
        stmt = stmt.where(t.c.kind == kind)
    stmt = stmt.order_by(t.c.starts_on, t.c.id)
    return [_session_info(r) for r in await session.execute(stmt)]


async def academic_sessions_under(
    session: AsyncSession, institution_id: uuid.UUID, parent_id: uuid.UUID, kind: str | None = None
) -> list[AcademicSessionInfo]:
    """The sessions nested directly in `parent_id` (a term's grading periods), by start date."""
    t = academic_session_table
    stmt = sa.select(t).where(t.c.institution_id == institution_id, t.c.parent_id == parent_id)
    if kind is not None:
        stmt = stmt.where(t.c.kind == kind)
    stmt = stmt.order_by(t.c.starts_on, t.c.id)
    return [_session_info(r) for r in await session.execute(stmt)]


async def people_with_roles(
    session: AsyncSession,
    institution_id: uuid.UUID,
    on: date,
    roles: Iterable[Role] | None = None,
    school_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """People holding (any of) `roles` on `on` — all roles when None — in a stable order.

    With `school_id`, only role grants scoped to that school count (teachers, students and
    staff of the school); institution-wide grants such as a guardian's do not.
    """
    stmt = (
        sa.select(role_assignment.c.person_id)
        .join(person, person.c.id == role_assignment.c.person_id)
        .where(
            role_assignment.c.institution_id == institution_id,
            active(role_assignment, on),
            sa.or_(person.c.ends_on.is_(None), person.c.ends_on > on),
        )
    )
    if roles is not None:
        stmt = stmt.where(role_assignment.c.role.in_([r.value for r in roles]))
    if school_id is not None:
        stmt = stmt.where(role_assignment.c.school_id == school_id)
    ids = (await session.scalars(stmt.order_by(role_assignment.c.person_id))).all()
    return list(dict.fromkeys(ids))


async def grade_level(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID
) -> str | None:
    """A student's grade level ("7", "K"), or None when unknown or not in this institution."""
    stmt = sa.select(person.c.grade_level).where(
        person.c.institution_id == institution_id, person.c.id == person_id
    )
    level: str | None = await session.scalar(stmt)
    return level


async def roster_rows(session: AsyncSession, institution_id: uuid.UUID) -> dict[str, list[Any]]:
    """Every row of the institution's roster tables (school, academic_session, course, section,
    person, role_assignment, enrollment, guardian_link), by table name: for exports."""
    out: dict[str, list[Any]] = {}
    for table in ORDER[1:]:
        stmt = sa.select(table).where(table.c.institution_id == institution_id)
        out[table.name] = list((await session.execute(stmt.order_by(table.c.id))).all())
    return out
