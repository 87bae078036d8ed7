"""Enrollments (person × section) and guardian links (student × adult): dated, never deleted."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from edtech.institutions.domain.events import (
    EnrollmentEnded,
    GuardianLinkChanged,
    GuardianLinked,
    GuardianLinkEnded,
    PersonEnrolled,
)
from edtech.institutions.domain.values import is_active, validate_dates
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.events import Aggregate

RELATIONSHIP_MAX = 32
"""The longest name of a guardian's relationship to a student ("mother", "grandparent")."""
GUARDIAN_FLAGS = ("can_view_attendance", "can_view_grades", "can_view_billing", "can_message")
"""What a guardian link lets the adult do for this child (Gibbon / ClassDojo style)."""


class EnrollmentRole(enum.StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    AIDE = "aide"


@dataclass(eq=False, kw_only=True)
class Enrollment(Aggregate):
    """A person in a section as student, teacher or aide, from `begins_on` until `ends_on`.

    Only teachers can be the primary teacher. A person has at most one active enrollment
    per section (the repository checks it). Ending, never deleting, removes them.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    section_id: uuid.UUID
    person_id: uuid.UUID
    role: EnrollmentRole
    is_primary: bool = False
    begins_on: date
    ends_on: date | None = None
    created_at: datetime

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        validate_dates(self.begins_on, self.ends_on)
        if self.is_primary and self.role is not EnrollmentRole.TEACHER:
            raise InvalidError(
                "only a teacher can be the primary teacher",
                [FieldProblem(("is_primary",), f"not allowed for role {self.role.value}")],
            )

    def is_active(self, on: date) -> bool:
        return is_active(self.begins_on, self.ends_on, on)

    def is_current_or_future(self, on: date) -> bool:
        return self.ends_on is None or on < self.ends_on

    def enrolled(self, at: datetime) -> None:
        self.record(
            PersonEnrolled(
                institution_id=self.institution_id,
                occurred_at=at,
                enrollment_id=self.id,
                section_id=self.section_id,
                person_id=self.person_id,
                role=self.role.value,
                begins_on=self.begins_on,
            )
        )

    def end(self, ends_on: date, at: datetime) -> None:
        """End the enrollment on `ends_on` (the first day the person is no longer in it)."""
        if self.ends_on is not None and self.ends_on <= ends_on:
            raise ConflictError("this enrollment has already ended", enrollment_id=str(self.id))
        validate_dates(self.begins_on, ends_on)
        self.ends_on = ends_on
        self.record(
            EnrollmentEnded(
                institution_id=self.institution_id,
                occurred_at=at,
                enrollment_id=self.id,
                section_id=self.section_id,
                person_id=self.person_id,
                role=self.role.value,
                ends_on=ends_on,
            )
        )


@dataclass(eq=False, kw_only=True)
class GuardianLink(Aggregate):
    """An adult's link to a student (Ed-Fi student–contact association).

    The flags say what the adult may see or do for this child. A custody restriction (a court
    order) blocks everything for this adult and this child, whatever the flags say.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    student_id: uuid.UUID
    guardian_id: uuid.UUID
    relationship: str = "guardian"
    legal_guardian: bool = True
    lives_with: bool = True
    contact_priority: int = 1
    custody_restriction: bool = False
    custody_note: str | None = None
    can_view_attendance: bool = True
    can_view_grades: bool = True
    can_view_billing: bool = True
    can_message: bool = True
    begins_on: date
    ends_on: date | None = None
    created_at: datetime

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        problems: list[FieldProblem] = []
        if self.student_id == self.guardian_id:
            problems.append(
                FieldProblem(("guardian_id",), "a student cannot be their own guardian")
            )
        if self.contact_priority < 1:
            problems.append(
                FieldProblem(("contact_priority",), "must be 1 or more (1 is called first)")
            )
        if self.custody_restriction and not (self.custody_note or "").strip():
            problems.append(
                FieldProblem(
                    ("custody_note",), "say what the restriction is (e.g. the court order)"
                )
            )
        if problems:
            raise InvalidError("invalid guardian link", problems)
        validate_dates(self.begins_on, self.ends_on)

    def is_active(self, on: date) -> bool:
        return is_active(self.begins_on, self.ends_on, on)

    def allows(self, flag: str | None, on: date) -> bool:
        """Whether the adult may do `flag` for this child today (None: merely see the child)."""
        if flag is not None and flag not in GUARDIAN_FLAGS:
            raise ValueError(f"unknown guardian flag {flag!r}")
        if self.custody_restriction or not self.is_active(on):
            return False
        return flag is None or bool(getattr(self, flag))

    def linked(self, at: datetime) -> None:
        self.record(
            GuardianLinked(
                institution_id=self.institution_id,
                occurred_at=at,
                link_id=self.id,
                student_id=self.student_id,
                guardian_id=self.guardian_id,
            )
        )

    def change(self, changes: dict[str, object], at: datetime) -> None:
        """Apply new values for the link's details and flags, then re-check the rules."""
        changed = tuple(k for k, v in changes.items() if getattr(self, k) != v)
        for name in changed:
            setattr(self, name, changes[name])
        self.check()
        if changed:
            self.record(
                GuardianLinkChanged(
                    institution_id=self.institution_id,
                    occurred_at=at,
                    link_id=self.id,
                    student_id=self.student_id,
                    guardian_id=self.guardian_id,
                    changed=changed,
                )
            )

    def end(self, ends_on: date, at: datetime) -> None:
        if self.ends_on is not None and self.ends_on <= ends_on:
            raise ConflictError("this guardian link has already ended", link_id=str(self.id))
        validate_dates(self.begins_on, ends_on)
        self.ends_on = ends_on
        self.record(
            GuardianLinkEnded(
                institution_id=self.institution_id,
                occurred_at=at,
                link_id=self.id,
                student_id=self.student_id,
                guardian_id=self.guardian_id,
                ends_on=ends_on,
            )
        )
