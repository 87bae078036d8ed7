"""The tenant and its org tree, calendar and course catalogue."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from edtech.institutions.domain.values import (
    currency_problem,
    locale_problem,
    raise_problems,
    timezone_problem,
)
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.events import Aggregate


class OrgType(enum.StrEnum):
    """OneRoster `Org.type` values below the tenant."""

    DISTRICT = "district"
    SCHOOL = "school"
    DEPARTMENT = "department"


class SessionKind(enum.StrEnum):
    """Academic sessions nest: school year → term → grading period."""

    SCHOOL_YEAR = "school_year"
    TERM = "term"
    GRADING_PERIOD = "grading_period"

    @property
    def parent_kind(self) -> SessionKind | None:
        return {
            SessionKind.SCHOOL_YEAR: None,
            SessionKind.TERM: SessionKind.SCHOOL_YEAR,
            SessionKind.GRADING_PERIOD: SessionKind.TERM,
        }[self]


@dataclass(eq=False, kw_only=True)
class Institution(Aggregate):
    """The tenant: every other row belongs to exactly one institution.

    Its time zone is the default for its schools; its currency (ISO 4217) is what it bills in.
    """

    id: uuid.UUID
    slug: str
    name: str
    timezone: str
    locale: str
    currency: str
    created_at: datetime

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        raise_problems(
            "invalid institution settings",
            timezone_problem(self.timezone),
            locale_problem(self.locale),
            currency_problem(self.currency),
        )


@dataclass(eq=False, kw_only=True)
class School(Aggregate):
    """An org below the tenant (school, district or department) with an optional own time zone."""

    id: uuid.UUID
    institution_id: uuid.UUID
    name: str
    org_type: OrgType = OrgType.SCHOOL
    parent_id: uuid.UUID | None = None
    timezone: str | None = None
    sourced_id: str | None = None

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        if self.parent_id is not None and self.parent_id == self.id:
            raise InvalidError(
                "a school cannot be its own parent",
                [FieldProblem(("parent_id",), "is the school itself")],
            )
        if self.timezone is not None:
            raise_problems("invalid school", timezone_problem(self.timezone))

    def zone(self, institution_timezone: str) -> str:
        """Meetings are scheduled in the school's zone, or the institution's when it has none."""
        return self.timezone or institution_timezone


@dataclass(eq=False, kw_only=True)
class AcademicSession(Aggregate):
    """A dated span of the school calendar; both `starts_on` and `ends_on` are school days.

    A term lies inside its school year and a grading period inside its term. A grading period
    has a close date (on or after its end) after which its grades are locked.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    kind: SessionKind
    title: str
    starts_on: date
    ends_on: date
    school_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    closes_on: date | None = None

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        problems: list[FieldProblem] = []
        if self.ends_on < self.starts_on:
            problems.append(FieldProblem(("ends_on",), "must not be before starts_on"))
        if self.kind is SessionKind.GRADING_PERIOD:
            if self.closes_on is None:
                self.closes_on = self.ends_on
            elif self.closes_on < self.ends_on:
                problems.append(FieldProblem(("closes_on",), "must not be before ends_on"))
        elif self.closes_on is not None:
            problems.append(FieldProblem(("closes_on",), "only grading periods have a close date"))
        if self.kind.parent_kind is None and self.parent_id is not None:
            problems.append(FieldProblem(("parent_id",), "a school year has no parent session"))
        if self.kind.parent_kind is not None and self.parent_id is None:
            problems.append(
                FieldProblem(
                    ("parent_id",),
                    f"a {self.kind.value} needs a parent {self.kind.parent_kind.value}",
                )
            )
        if problems:
            raise InvalidError("invalid academic session", problems)

    def check_parent(self, parent: AcademicSession) -> None:
        """The parent must be of the enclosing kind and cover this session's dates."""
        problems: list[FieldProblem] = []
        if parent.kind is not self.kind.parent_kind:
            problems.append(
                FieldProblem(
                    ("parent_id",),
                    f"must be a {self.kind.parent_kind or 'nothing'}, not a {parent.kind.value}",
                )
            )
        elif not (parent.starts_on <= self.starts_on and self.ends_on <= parent.ends_on):
            problems.append(
                FieldProblem(
                    ("starts_on",),
                    f"must lie within the parent session ({parent.starts_on} – {parent.ends_on})",
                )
            )
        if problems:
            raise InvalidError("the session does not fit in its parent", problems)

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def is_closed(self, today: date) -> bool:
        """Grades of a grading period are locked after its close date."""
        return self.closes_on is not None and today > self.closes_on


@dataclass(eq=False, kw_only=True)
class Course(Aggregate):
    """A subject offering ("Math 7") of a school; sections are its teaching groups."""

    id: uuid.UUID
    institution_id: uuid.UUID
    school_id: uuid.UUID
    code: str
    title: str
    sourced_id: str | None = None
