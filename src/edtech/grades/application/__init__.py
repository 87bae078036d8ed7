"""Use cases of the grades slice, one per module (`verb_noun.py` holds `VerbNoun`): each opens
the unit of work, applies the rule, commits. Shared helpers live in `common.py`, ports in
`ports.py`."""

from edtech.grades.application.configure_gradebook import (
    CategoryEntry,
    ConfigureGradebook,
    GradebookSetup,
)
from edtech.grades.application.create_assessment import AssessmentDraft, CreateAssessment
from edtech.grades.application.create_scheme import CreateScheme, SchemeDraft
from edtech.grades.application.enter_results import EnterResults, ResultEntry, ResultsEntered
from edtech.grades.application.ports import Roster, RosterFactory
from edtech.grades.application.publish_assessment import PublishAssessment, PublishRequest
from edtech.grades.application.update_assessment import AssessmentPatch, UpdateAssessment

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
