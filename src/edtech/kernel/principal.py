"""Who is calling: a person with dated role grants inside one institution, or a scanner device."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from edtech.kernel.clock import school_zone


class Role(enum.StrEnum):
    """Roles a person can hold in an institution (OneRoster roles, plus our office roles)."""

    INSTITUTION_ADMIN = "institution_admin"
    SCHOOL_ADMIN = "school_admin"
    TEACHER = "teacher"
    STUDENT = "student"
    GUARDIAN = "guardian"
    ACCOUNTANT = "accountant"
    ATTENDANCE_OFFICER = "attendance_officer"
    COUNSELLOR = "counsellor"
    """Follows students' early-warning signals (of their school, or every school)."""


STAFF_ROLES = frozenset(
    {
        Role.INSTITUTION_ADMIN,
        Role.SCHOOL_ADMIN,
        Role.TEACHER,
        Role.ACCOUNTANT,
        Role.ATTENDANCE_OFFICER,
        Role.COUNSELLOR,
    }
)


@dataclass(frozen=True)
class RoleGrant:
    """One role held today; `school_id` is None when it spans the whole institution."""

    role: Role
    school_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Principal:
    """An authenticated person acting inside their institution."""

    account_id: uuid.UUID
    person_id: uuid.UUID
    institution_id: uuid.UUID
    display_name: str
    grants: frozenset[RoleGrant] = field(default_factory=frozenset)
    session_id: uuid.UUID | None = None
    timezone: str | None = None
    """The institution's time zone (IANA name) as read with the grants at sign-in; None where a
    principal is made without a sign-in (work done in someone's name)."""

    def school_day(self, at: datetime) -> date | None:
        """The institution's calendar day at the instant `at`, in the zone read at sign-in
        (never the UTC date); None when the principal carries no zone."""
        if self.timezone is None:
            return None
        return at.astimezone(school_zone(self.timezone)).date()

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    def has_role(self, role: Role, school_id: uuid.UUID | None = None) -> bool:
        """True if the person holds `role` institution-wide, or for `school_id` when given."""
        return any(
            g.role == role
            and (g.school_id is None or school_id is None or g.school_id == school_id)
            for g in self.grants
        )

    @property
    def is_institution_admin(self) -> bool:
        return self.has_role(Role.INSTITUTION_ADMIN)

    def is_admin_of(self, school_id: uuid.UUID | None) -> bool:
        """Institution admins administer every school; school admins only their own."""
        if self.is_institution_admin:
            return True
        return school_id is not None and any(
            g.role == Role.SCHOOL_ADMIN and g.school_id == school_id for g in self.grants
        )

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)


@dataclass(frozen=True)
class DevicePrincipal:
    """A scanner or kiosk authenticated by its API key; it acts for one school only."""

    device_id: uuid.UUID
    institution_id: uuid.UUID
    school_id: uuid.UUID
    name: str
