"""Use cases of the grades slice: each opens the unit of work, applies the rule, commits."""

from edtech.grades.application.enter_results import EnterResults, ResultEntry, ResultsEntered
from edtech.grades.application.gradebook import (
    AssessmentDraft,
    AssessmentPatch,
    CategoryEntry,
    ConfigureGradebook,
    CreateAssessment,
    GradebookSetup,
    UpdateAssessment,
)
from edtech.grades.application.ports import Roster, RosterFactory
from edtech.grades.application.publish_assessment import PublishAssessment, PublishRequest
from edtech.grades.application.schemes import CreateScheme, SchemeDraft

__all__ = [
    "AssessmentDraft",
    "AssessmentPatch",
    "CategoryEntry",
    "ConfigureGradebook",
    "CreateAssessment",
    "CreateScheme",
    "EnterResults",
    "GradebookSetup",
    "PublishAssessment",
    "PublishRequest",
    "ResultEntry",
    "ResultsEntered",
    "Roster",
    "RosterFactory",
    "SchemeDraft",
    "UpdateAssessment",
]
