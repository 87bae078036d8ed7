"""The roster's tables, with the domain classes mapped onto them imperatively (one class each)."""

from __future__ import annotations

import enum
from datetime import date, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from edtech.institutions.domain import (
    AcademicSession,
    ClassType,
    Course,
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    Institution,
    MeetingTime,
    OrgType,
    Person,
    RoleAssignment,
    School,
    Section,
    SessionKind,
    Weekday,
)
from edtech.institutions.domain.people import GRADE_LEVEL_MAX
from edtech.institutions.domain.roster import RELATIONSHIP_MAX
from edtech.kernel.principal import Role
from edtech.platform.db.metadata import mapper_registry, metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column


def _enum(cls: type[enum.StrEnum], length: int) -> sa.Enum:
    """A string column holding the enum's values (no native type, no CHECK: portable)."""
    return sa.Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
    )


class MeetingPattern(sa.TypeDecorator[tuple[MeetingTime, ...]]):
    """A section's weekly slots as JSON: [{"weekday": "monday", "starts_at": "08:00", ...}]."""

    impl = sa.JSON()
    cache_ok = True

    def process_bind_param(
        self, value: tuple[MeetingTime, ...] | None, dialect: Dialect
    ) -> list[dict[str, str]] | None:
        if value is None:
            return None
        return [
            {
                "weekday": m.weekday.value,
                "starts_at": m.starts_at.isoformat("minutes"),
                "ends_at": m.ends_at.isoformat("minutes"),
            }
            for m in value
        ]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[MeetingTime, ...] | None:
        if value is None:
            return None
        return tuple(
            MeetingTime(
                Weekday(m["weekday"]),
                time.fromisoformat(m["starts_at"]),
                time.fromisoformat(m["ends_at"]),
            )
            for m in value
        )


def _person_fk(name: str) -> sa.Column[Any]:
    return sa.Column(
        name, sa.Uuid(), sa.ForeignKey("person.id", ondelete="RESTRICT"), nullable=False, index=True
    )


institution = sa.Table(
    "institution",
    metadata,
    id_column(),
    sa.Column("slug", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("locale", sa.String(35), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

school = sa.Table(
    "school",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("org_type", _enum(OrgType, 16), nullable=False),
    sa.Column(
        "parent_id", sa.Uuid(), sa.ForeignKey("school.id", ondelete="RESTRICT"), nullable=True
    ),
    sa.Column("timezone", sa.String(64), nullable=True),
    sa.Column("sourced_id", sa.String(255), nullable=True),
    sa.UniqueConstraint("institution_id", "name"),
)

academic_session = sa.Table(
    "academic_session",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "school_id", sa.Uuid(), sa.ForeignKey("school.id", ondelete="RESTRICT"), nullable=True
    ),
    sa.Column(
        "parent_id",
        sa.Uuid(),
        sa.ForeignKey("academic_session.id", ondelete="RESTRICT"),
        nullable=True,
    ),
    sa.Column("kind", _enum(SessionKind, 16), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("starts_on", sa.Date(), nullable=False),
    sa.Column("ends_on", sa.Date(), nullable=False),
    sa.Column("closes_on", sa.Date(), nullable=True),
    sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
)

course = sa.Table(
    "course",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "school_id", sa.Uuid(), sa.ForeignKey("school.id", ondelete="RESTRICT"), nullable=False
    ),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("sourced_id", sa.String(255), nullable=True),
    sa.UniqueConstraint("institution_id", "school_id", "code"),
)

section = sa.Table(
    "section",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "school_id",
        sa.Uuid(),
        sa.ForeignKey("school.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "course_id",
        sa.Uuid(),
        sa.ForeignKey("course.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "term_id",
        sa.Uuid(),
        sa.ForeignKey("academic_session.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("code", sa.String(64), nullable=True),
    sa.Column("room", sa.String(64), nullable=True),
    sa.Column("class_type", _enum(ClassType, 16), nullable=False),
    sa.Column("meetings", MeetingPattern(), nullable=False),
    sa.Column("sourced_id", sa.String(255), nullable=True),
)

person = sa.Table(
    "person",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("given_name", sa.String(100), nullable=False),
    sa.Column("family_name", sa.String(100), nullable=False),
    sa.Column("email", sa.String(254), nullable=True),
    sa.Column("sourced_id", sa.String(255), nullable=True),
    sa.Column("grade_level", sa.String(GRADE_LEVEL_MAX), nullable=True),
    sa.Column("birth_date", sa.Date(), nullable=True),
    sa.Column("ends_on", sa.Date(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("erased_at", UTCDateTime(), nullable=True),
    sa.Column("erased_by", sa.Uuid(), nullable=True),
    sa.UniqueConstraint("institution_id", "email"),
    sa.UniqueConstraint("institution_id", "sourced_id"),
)

role_assignment = sa.Table(
    "role_assignment",
    metadata,
    id_column(),
    institution_column(),
    _person_fk("person_id"),
    sa.Column("role", _enum(Role, 32), nullable=False),
    sa.Column(
        "school_id", sa.Uuid(), sa.ForeignKey("school.id", ondelete="RESTRICT"), nullable=True
    ),
    sa.Column("begins_on", sa.Date(), nullable=False),
    sa.Column("ends_on", sa.Date(), nullable=True),
)

enrollment = sa.Table(
    "enrollment",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "section_id",
        sa.Uuid(),
        sa.ForeignKey("section.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    _person_fk("person_id"),
    sa.Column("role", _enum(EnrollmentRole, 16), nullable=False),
    sa.Column("is_primary", sa.Boolean(), nullable=False),
    sa.Column("begins_on", sa.Date(), nullable=False),
    sa.Column("ends_on", sa.Date(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

guardian_link = sa.Table(
    "guardian_link",
    metadata,
    id_column(),
    institution_column(),
    _person_fk("student_id"),
    _person_fk("guardian_id"),
    sa.Column("relationship", sa.String(RELATIONSHIP_MAX), nullable=False),
    sa.Column("legal_guardian", sa.Boolean(), nullable=False),
    sa.Column("lives_with", sa.Boolean(), nullable=False),
    sa.Column("contact_priority", sa.Integer(), nullable=False),
    sa.Column("custody_restriction", sa.Boolean(), nullable=False),
    sa.Column("custody_note", sa.Text(), nullable=True),
    sa.Column("can_view_attendance", sa.Boolean(), nullable=False),
    sa.Column("can_view_grades", sa.Boolean(), nullable=False),
    sa.Column("can_view_billing", sa.Boolean(), nullable=False),
    sa.Column("can_message", sa.Boolean(), nullable=False),
    sa.Column("begins_on", sa.Date(), nullable=False),
    sa.Column("ends_on", sa.Date(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

_MAPPED: tuple[tuple[type, sa.Table], ...] = (
    (Institution, institution),
    (School, school),
    (AcademicSession, academic_session),
    (Course, course),
    (Section, section),
    (Person, person),
    (RoleAssignment, role_assignment),
    (Enrollment, enrollment),
    (GuardianLink, guardian_link),
)
for _cls, _table in _MAPPED:
    mapper_registry.map_imperatively(_cls, _table)


def active(table: sa.Table, on: date | sa.ColumnElement[date]) -> sa.ColumnElement[bool]:
    """Rows of a dated table (roles, enrollments, guardian links) whose [begins_on, ends_on)
    span contains `on`."""
    return sa.and_(table.c.begins_on <= on, sa.or_(table.c.ends_on.is_(None), table.c.ends_on > on))
