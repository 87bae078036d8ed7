"""People of an institution and their dated role assignments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from edtech.institutions.domain.events import (
    PersonAdded,
    PersonEnded,
    PersonErased,
    RoleAssigned,
    RoleEnded,
)
from edtech.institutions.domain.values import is_active, validate_dates
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.events import Aggregate
from edtech.kernel.principal import Role

SCHOOL_SCOPED_ROLES = frozenset({Role.SCHOOL_ADMIN})
"""Roles that only make sense for one school."""


ERASED_NAME = ("Erased", "person")
"""What an erased person is called from then on, everywhere their name is shown."""

ERASED_FIELDS = ("given_name", "family_name", "email", "birth_date", "grade_level")
GRADE_LEVEL_MAX = 16
"""The longest grade level a person keeps ("09", "KG")."""
"""The personal fields an erasure anonymises (names replaced, the rest emptied)."""


def normalise_email(email: str | None) -> str | None:
    """Emails compare case-insensitively, so they are stored lower-case."""
    return email.strip().lower() if email else None


@dataclass(eq=False, kw_only=True)
class Person(Aggregate):
    """One human being in one institution: a student, a teacher, a parent — or several at once.

    The email, when given, is unique within the institution. A person is never deleted:
    `ends_on` marks when they left, and from that day they hold no role, enrollment or link.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    given_name: str
    family_name: str
    email: str | None = None
    sourced_id: str | None = None
    grade_level: str | None = None
    birth_date: date | None = None
    ends_on: date | None = None
    created_at: datetime
    erased_at: datetime | None = None
    erased_by: uuid.UUID | None = None

    def __post_init__(self) -> None:
        self.email = normalise_email(self.email)

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def is_current(self, on: date) -> bool:
        return self.ends_on is None or on < self.ends_on

    def added(self, at: datetime) -> None:
        self.record(
            PersonAdded(institution_id=self.institution_id, occurred_at=at, person_id=self.id)
        )

    def end(self, ends_on: date, at: datetime) -> None:
        """A person who left keeps their history; ending twice is refused."""
        if self.ends_on is not None and self.ends_on <= ends_on:
            raise ConflictError("this person has already left", person_id=str(self.id))
        self.ends_on = ends_on
        self.record(
            PersonEnded(
                institution_id=self.institution_id,
                occurred_at=at,
                person_id=self.id,
                ends_on=ends_on,
            )
        )

    def erase(self, today: date, by: uuid.UUID, at: datetime) -> None:
        """Anonymise the personal fields of a person who has left (their last day is before
        `today`, the school's day); the records about them stay, naming nobody. Once only."""
        if self.erased_at is not None:
            raise ConflictError("this person was erased already", person_id=str(self.id))
        if self.ends_on is None or self.ends_on > today:
            raise ConflictError(
                "only a person who has left can be erased: end their membership first",
                person_id=str(self.id),
            )
        self.given_name, self.family_name = ERASED_NAME
        self.email = self.birth_date = self.grade_level = None
        self.erased_at, self.erased_by = at, by
        self.record(
            PersonErased(
                institution_id=self.institution_id,
                occurred_at=at,
                person_id=self.id,
                erased_by=by,
            )
        )


@dataclass(eq=False, kw_only=True)
class RoleAssignment(Aggregate):
    """A dated role of a person, institution-wide or for one school (OneRoster `roles[]`).

    A school admin's assignment always names its school.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    person_id: uuid.UUID
    role: Role
    school_id: uuid.UUID | None = None
    begins_on: date
    ends_on: date | None = None

    def __post_init__(self) -> None:
        validate_dates(self.begins_on, self.ends_on)
        if self.role in SCHOOL_SCOPED_ROLES and self.school_id is None:
            raise InvalidError(
                f"a {self.role.value} assignment needs a school",
                [FieldProblem(("school_id",), f"required for role {self.role.value}")],
            )

    def is_active(self, on: date) -> bool:
        return is_active(self.begins_on, self.ends_on, on)

    def assigned(self, at: datetime) -> None:
        self.record(
            RoleAssigned(
                institution_id=self.institution_id,
                occurred_at=at,
                assignment_id=self.id,
                person_id=self.person_id,
                role=self.role.value,
                school_id=self.school_id,
                begins_on=self.begins_on,
            )
        )

    def end(self, ends_on: date, at: datetime) -> None:
        """Ending keeps the assignment as history; it cannot end before it began."""
        if self.ends_on is not None and self.ends_on <= ends_on:
            raise ConflictError("this role assignment has already ended")
        validate_dates(self.begins_on, ends_on)
        self.ends_on = ends_on
        self.record(
            RoleEnded(
                institution_id=self.institution_id,
                occurred_at=at,
                assignment_id=self.id,
                person_id=self.person_id,
                role=self.role.value,
                ends_on=ends_on,
            )
        )
