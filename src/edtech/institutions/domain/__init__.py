"""The roster domain: pure rules about the tenant, its calendar, sections, people and families."""

from edtech.institutions.domain.events import (
    EnrollmentChanged,
    EnrollmentEnded,
    GuardianLinkChanged,
    GuardianLinked,
    GuardianLinkEnded,
    PersonAdded,
    PersonEnded,
    PersonEnrolled,
    PersonErased,
    RoleAssigned,
    RoleEnded,
    SectionCreated,
)
from edtech.institutions.domain.organization import (
    AcademicSession,
    Course,
    Institution,
    OrgType,
    School,
    SessionKind,
)
from edtech.institutions.domain.people import Person, RoleAssignment
from edtech.institutions.domain.roster import (
    GUARDIAN_FLAGS,
    Enrollment,
    EnrollmentRole,
    GuardianLink,
)
from edtech.institutions.domain.schedule import ClassType, Meeting, MeetingTime, Section, Weekday
from edtech.institutions.domain.values import is_active, validate_dates

__all__ = [
    "GUARDIAN_FLAGS",
    "AcademicSession",
    "ClassType",
    "Course",
    "Enrollment",
    "EnrollmentChanged",
    "EnrollmentEnded",
    "EnrollmentRole",
    "GuardianLink",
    "GuardianLinkChanged",
    "GuardianLinkEnded",
    "GuardianLinked",
    "Institution",
    "Meeting",
    "MeetingTime",
    "OrgType",
    "Person",
    "PersonAdded",
    "PersonEnded",
    "PersonEnrolled",
    "PersonErased",
    "RoleAssigned",
    "RoleAssignment",
    "RoleEnded",
    "School",
    "Section",
    "SectionCreated",
    "SessionKind",
    "Weekday",
    "is_active",
    "validate_dates",
]
