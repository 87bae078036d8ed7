"""Roster use cases, one per module (`verb_noun.py` holding `VerbNoun`): each opens the unit of
work, checks the policy, changes aggregates, commits. Re-exported here for callers that import
the package."""

from edtech.institutions.application.add_person import AddPerson, NewPerson
from edtech.institutions.application.assign_role import AssignRole
from edtech.institutions.application.common import NewRole
from edtech.institutions.application.create_academic_session import (
    CreateAcademicSession,
    NewAcademicSession,
)
from edtech.institutions.application.create_course import CreateCourse, NewCourse
from edtech.institutions.application.create_institution import CreateInstitution
from edtech.institutions.application.create_school import CreateSchool, NewSchool
from edtech.institutions.application.create_section import CreateSection, NewSection
from edtech.institutions.application.end_enrollment import EndEnrollment
from edtech.institutions.application.end_guardian_link import EndGuardianLink
from edtech.institutions.application.end_person import EndPerson
from edtech.institutions.application.end_role import EndRole
from edtech.institutions.application.enroll_person import EnrollPerson, NewEnrollment
from edtech.institutions.application.link_guardian import LinkGuardian, NewGuardianLink
from edtech.institutions.application.update_academic_session import UpdateAcademicSession
from edtech.institutions.application.update_course import UpdateCourse
from edtech.institutions.application.update_enrollment import UpdateEnrollment
from edtech.institutions.application.update_guardian_link import UpdateGuardianLink
from edtech.institutions.application.update_institution import UpdateInstitution
from edtech.institutions.application.update_person import UpdatePerson
from edtech.institutions.application.update_school import UpdateSchool
from edtech.institutions.application.update_section import UpdateSection

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
