"""Roster use cases: each opens the unit of work, checks the policy, changes aggregates, commits."""

from edtech.institutions.application.catalogue import (
    CreateCourse,
    CreateSection,
    NewCourse,
    NewSection,
    UpdateCourse,
    UpdateSection,
)
from edtech.institutions.application.enrollments import (
    EndEnrollment,
    EnrollPerson,
    NewEnrollment,
    UpdateEnrollment,
)
from edtech.institutions.application.guardians import (
    EndGuardianLink,
    LinkGuardian,
    NewGuardianLink,
    UpdateGuardianLink,
)
from edtech.institutions.application.organization import (
    CreateAcademicSession,
    CreateInstitution,
    CreateSchool,
    NewAcademicSession,
    NewSchool,
    UpdateAcademicSession,
    UpdateInstitution,
    UpdateSchool,
)
from edtech.institutions.application.people import (
    AddPerson,
    AssignRole,
    EndPerson,
    EndRole,
    NewPerson,
    NewRole,
    UpdatePerson,
)

__all__ = [
    "AddPerson",
    "AssignRole",
    "CreateAcademicSession",
    "CreateCourse",
    "CreateInstitution",
    "CreateSchool",
    "CreateSection",
    "EndEnrollment",
    "EndGuardianLink",
    "EndPerson",
    "EndRole",
    "EnrollPerson",
    "LinkGuardian",
    "NewAcademicSession",
    "NewCourse",
    "NewEnrollment",
    "NewGuardianLink",
    "NewPerson",
    "NewRole",
    "NewSchool",
    "NewSection",
    "UpdateAcademicSession",
    "UpdateCourse",
    "UpdateEnrollment",
    "UpdateGuardianLink",
    "UpdateInstitution",
    "UpdatePerson",
    "UpdateSchool",
    "UpdateSection",
]
