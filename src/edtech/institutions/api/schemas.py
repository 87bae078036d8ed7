"""Pydantic request and response models of the roster API (`…In`, `…Patch`, `…Out`)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from edtech.institutions.domain import ClassType, EnrollmentRole, OrgType, SessionKind, Weekday
from edtech.institutions.domain.people import GRADE_LEVEL_MAX
from edtech.institutions.domain.roster import RELATIONSHIP_MAX
from edtech.kernel.principal import Role
from edtech.platform.http.types import BoundedDate

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
# As long as their columns hold (`person.grade_level`, `guardian_link.relationship`).
GradeLevel = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=GRADE_LEVEL_MAX)
]
Relationship = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=RELATIONSHIP_MAX)
]
SourcedId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
# Deliberately lenient (one @, a dot in the domain): schools use reserved test domains too.
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]


class In(BaseModel):
    """Request bodies refuse unknown fields, so a typo is a 422, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EndIn(In):
    ends_on: BoundedDate | None = Field(
        None, description="First day it no longer holds; default today."
    )


# -- institution, schools, calendar, courses ---------------------------------------------------


class InstitutionOut(Out):
    id: uuid.UUID
    slug: str
    name: str
    timezone: str
    locale: str
    currency: str


class InstitutionPatch(In):
    name: Title | None = None
    timezone: str | None = Field(None, description="IANA zone, e.g. Europe/Berlin.")
    locale: str | None = Field(None, description="BCP 47 tag, e.g. en-US.")
    currency: str | None = Field(None, description="ISO 4217 code, e.g. EUR.")


class SchoolIn(In):
    name: Title
    org_type: OrgType = OrgType.SCHOOL
    parent_id: uuid.UUID | None = None
    timezone: str | None = None
    sourced_id: SourcedId | None = None


class SchoolPatch(In):
    name: Title | None = None
    org_type: OrgType | None = None
    timezone: str | None = None
    sourced_id: SourcedId | None = None


class SchoolOut(Out):
    id: uuid.UUID
    name: str
    org_type: OrgType
    parent_id: uuid.UUID | None
    timezone: str | None
    sourced_id: str | None


class TermIn(In):
    kind: SessionKind
    title: Title
    starts_on: BoundedDate
    ends_on: BoundedDate
    school_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    closes_on: BoundedDate | None = Field(
        None, description="Grading periods only: grades lock after it."
    )


class TermPatch(In):
    title: Title | None = None
    starts_on: BoundedDate | None = None
    ends_on: BoundedDate | None = None
    closes_on: BoundedDate | None = None


class TermOut(Out):
    id: uuid.UUID
    kind: SessionKind
    title: str
    starts_on: date
    ends_on: date
    school_id: uuid.UUID | None
    parent_id: uuid.UUID | None
    closes_on: date | None


class CourseIn(In):
    school_id: uuid.UUID
    code: Code
    title: Title
    sourced_id: SourcedId | None = None


class CoursePatch(In):
    code: Code | None = None
    title: Title | None = None
    sourced_id: SourcedId | None = None


class CourseOut(Out):
    id: uuid.UUID
    school_id: uuid.UUID
    code: str
    title: str
    sourced_id: str | None


# -- sections ----------------------------------------------------------------------------------


class MeetingTimeIO(BaseModel):
    """A weekly slot in the school's wall-clock time."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)
    weekday: Weekday
    starts_at: time
    ends_at: time

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        # An offset (or a number, which pydantic reads as seconds in UTC) has no meaning in a
        # school's wall-clock time, and such a time cannot be compared with a plain one.
        if value.tzinfo is not None:
            raise ValueError("a wall-clock time, HH:MM[:SS], without an offset")
        return value

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class SectionIn(In):
    course_id: uuid.UUID
    term_id: uuid.UUID
    title: Title
    code: Code | None = None
    room: Code | None = None
    class_type: ClassType = ClassType.SCHEDULED
    meetings: list[MeetingTimeIO] = Field(default_factory=list, max_length=50)
    sourced_id: SourcedId | None = None


class SectionPatch(In):
    title: Title | None = None
    code: Code | None = None
    room: Code | None = None
    class_type: ClassType | None = None
    meetings: list[MeetingTimeIO] | None = Field(None, max_length=50)
    sourced_id: SourcedId | None = None


class SectionOut(Out):
    id: uuid.UUID
    school_id: uuid.UUID
    course_id: uuid.UUID
    course_title: str
    term_id: uuid.UUID
    term_title: str
    title: str
    code: str | None
    room: str | None
    class_type: ClassType
    meetings: list[MeetingTimeIO]
    sourced_id: str | None


class MeetingOut(Out):
    section_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime


class RosterEntryOut(Out):
    enrollment_id: uuid.UUID
    person_id: uuid.UUID
    given_name: str
    family_name: str
    email: str | None
    grade_level: str | None
    role: EnrollmentRole
    is_primary: bool
    begins_on: date
    ends_on: date | None


# -- people and roles --------------------------------------------------------------------------


class RoleIn(In):
    role: Role
    school_id: uuid.UUID | None = Field(None, description="None: institution-wide.")
    begins_on: BoundedDate | None = Field(None, description="Default today.")
    ends_on: BoundedDate | None = None


class RoleOut(Out):
    id: uuid.UUID
    role: Role
    school_id: uuid.UUID | None
    begins_on: date
    ends_on: date | None
    active: bool


class PersonIn(In):
    given_name: Name
    family_name: Name
    email: Email | None = None
    sourced_id: SourcedId | None = None
    grade_level: GradeLevel | None = None
    birth_date: BoundedDate | None = None
    roles: list[RoleIn] = Field(default_factory=list, max_length=20)


class PersonPatch(In):
    given_name: Name | None = None
    family_name: Name | None = None
    email: Email | None = None
    sourced_id: SourcedId | None = None
    grade_level: GradeLevel | None = None
    birth_date: BoundedDate | None = None


class PersonOut(Out):
    id: uuid.UUID
    given_name: str
    family_name: str
    display_name: str
    email: str | None
    sourced_id: str | None
    grade_level: str | None
    birth_date: date | None
    ends_on: date | None
    erased_at: datetime | None = Field(
        None, description="When the person was erased (`POST /people/{id}/erasure`), if so."
    )
    roles: list[RoleOut] = Field(default_factory=list, description="Roles held today.")


# -- enrollments and guardian links ------------------------------------------------------------


class EnrollmentIn(In):
    section_id: uuid.UUID
    person_id: uuid.UUID
    role: EnrollmentRole
    is_primary: bool = False
    begins_on: BoundedDate | None = Field(None, description="Default today.")
    ends_on: BoundedDate | None = None


class EnrollmentPatch(In):
    is_primary: bool | None = None
    begins_on: BoundedDate | None = None


class EnrollmentOut(Out):
    id: uuid.UUID
    section_id: uuid.UUID
    section_title: str
    person_id: uuid.UUID
    person_name: str
    role: EnrollmentRole
    is_primary: bool
    begins_on: date
    ends_on: date | None
    active: bool


class GuardianFlags(BaseModel):
    can_view_attendance: bool = True
    can_view_grades: bool = True
    can_view_billing: bool = True
    can_message: bool = True


class GuardianLinkIn(In, GuardianFlags):
    student_id: uuid.UUID
    guardian_id: uuid.UUID
    relationship: Relationship = "guardian"
    legal_guardian: bool = True
    lives_with: bool = True
    contact_priority: int = Field(1, ge=1, le=99)
    custody_restriction: bool = False
    custody_note: Annotated[str, StringConstraints(max_length=2000)] | None = None
    begins_on: BoundedDate | None = None


class GuardianLinkPatch(In):
    relationship: Relationship | None = None
    legal_guardian: bool | None = None
    lives_with: bool | None = None
    contact_priority: int | None = Field(None, ge=1, le=99)
    custody_restriction: bool | None = None
    custody_note: Annotated[str, StringConstraints(max_length=2000)] | None = None
    can_view_attendance: bool | None = None
    can_view_grades: bool | None = None
    can_view_billing: bool | None = None
    can_message: bool | None = None


class GuardianLinkOut(Out, GuardianFlags):
    id: uuid.UUID
    student_id: uuid.UUID
    student_name: str
    guardian_id: uuid.UUID
    guardian_name: str
    relationship: str
    legal_guardian: bool
    lives_with: bool
    contact_priority: int
    custody_restriction: bool
    custody_note: str | None
    begins_on: date
    ends_on: date | None
    active: bool


# -- me ----------------------------------------------------------------------------------------


class MySectionOut(Out):
    section_id: uuid.UUID
    title: str
    course_title: str
    school_id: uuid.UUID
    role: EnrollmentRole
    is_primary: bool


class ChildOut(Out, GuardianFlags):
    student_id: uuid.UUID
    given_name: str
    family_name: str
    display_name: str
    grade_level: str | None
    link_id: uuid.UUID
    relationship: str


class MeOut(Out):
    person: PersonOut
    institution: InstitutionOut
    roles: list[RoleOut]
    sections: list[MySectionOut]
    children: list[ChildOut]


class ErasedOut(BaseModel):
    what: str = Field(description="A kind of record or data (`roster`, `billing`, `login`, …).")
    why: str


class ErasureOut(BaseModel):
    """What an erasure did: the person's personal fields it anonymised, the data it deleted,
    and what it kept, with the reason for each."""

    person_id: uuid.UUID
    erased_at: datetime
    erased_by: uuid.UUID
    anonymised: list[str] = Field(description="Fields of the person emptied or replaced.")
    dropped: list[ErasedOut] = Field(description="Data deleted with the erasure.")
    kept: list[ErasedOut] = Field(description="Records kept, each with why.")
