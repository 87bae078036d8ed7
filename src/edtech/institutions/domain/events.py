"""Events the roster raises; their `type` strings are part of the public channel contract."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from edtech.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PersonAdded(DomainEvent):
    type: ClassVar[str] = "roster.person_added"
    person_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class PersonEnded(DomainEvent):
    """The person left the institution: their roles, enrollments and links ended with them."""

    type: ClassVar[str] = "roster.person_ended"
    person_id: uuid.UUID
    ends_on: date


@dataclass(frozen=True, kw_only=True)
class PersonErased(DomainEvent):
    """A person who left was erased: their personal fields are anonymised, their history kept.
    Slices that hold personal data of their own (logins, devices, contact addresses) drop it."""

    type: ClassVar[str] = "roster.person_erased"
    person_id: uuid.UUID
    erased_by: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class RoleAssigned(DomainEvent):
    type: ClassVar[str] = "roster.role_assigned"
    assignment_id: uuid.UUID
    person_id: uuid.UUID
    role: str
    school_id: uuid.UUID | None
    begins_on: date


@dataclass(frozen=True, kw_only=True)
class RoleEnded(DomainEvent):
    type: ClassVar[str] = "roster.role_ended"
    assignment_id: uuid.UUID
    person_id: uuid.UUID
    role: str
    ends_on: date


@dataclass(frozen=True, kw_only=True)
class SectionCreated(DomainEvent):
    type: ClassVar[str] = "roster.section_created"
    section_id: uuid.UUID
    school_id: uuid.UUID
    course_id: uuid.UUID
    term_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class EnrollmentChanged(DomainEvent):
    """Someone joined or left a section's roster (a live board adds or removes them)."""

    type: ClassVar[str] = "roster.enrollment_changed"
    change: ClassVar[str] = "changed"
    enrollment_id: uuid.UUID
    section_id: uuid.UUID
    person_id: uuid.UUID
    role: str

    def payload(self) -> dict[str, Any]:
        return {**super().payload(), "change": self.change}


@dataclass(frozen=True, kw_only=True)
class PersonEnrolled(EnrollmentChanged):
    """A student, teacher or aide was enrolled in a section."""

    change: ClassVar[str] = "enrolled"
    begins_on: date


@dataclass(frozen=True, kw_only=True)
class EnrollmentEnded(EnrollmentChanged):
    """An enrollment ended (it is never deleted)."""

    change: ClassVar[str] = "ended"
    ends_on: date


@dataclass(frozen=True, kw_only=True)
class GuardianLinked(DomainEvent):
    type: ClassVar[str] = "roster.guardian_linked"
    link_id: uuid.UUID
    student_id: uuid.UUID
    guardian_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class GuardianLinkChanged(DomainEvent):
    """A link's flags or custody restriction changed; permissions follow at once."""

    type: ClassVar[str] = "roster.guardian_link_changed"
    link_id: uuid.UUID
    student_id: uuid.UUID
    guardian_id: uuid.UUID
    changed: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class GuardianLinkEnded(DomainEvent):
    type: ClassVar[str] = "roster.guardian_link_ended"
    link_id: uuid.UUID
    student_id: uuid.UUID
    guardian_id: uuid.UUID
    ends_on: date
