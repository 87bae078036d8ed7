"""A publication's own work, and a class's grades entered in one request, counted (not timed):
their statements do not grow with the class — every result written is one UPDATE — and that
statement still refuses a result that moved meanwhile."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from edtech.demo import DemoSummary
from edtech.grades.application import PublishAssessment
from edtech.grades.application.enter_results import EnterResults, ResultEntry
from edtech.grades.application.ports import RosterFactory
from edtech.grades.application.publish_assessment import PublishRequest
from edtech.grades.domain import Editor, Mark, PublishScope, publish
from edtech.grades.infrastructure.repositories import SqlAlchemyResults
from edtech.grades.infrastructure.roster import InstitutionsRoster
from edtech.kernel.clock import Clock, SystemClock
from edtech.kernel.errors import ConflictError
from edtech.platform.db.uow import UnitOfWork
from edtech.settings import Settings
from tests.integration.grades.helpers import (
    CLASS,
    assessments_and_students,
    counting,
    fetch,
    one_moved_meanwhile,
    teacher,
    two_classes,
)

BOUND = 15
"""Statements of the publication's own transaction (no event sinks), whatever the class size:
the assessment, the school day, the section's school, the teacher's enrollment, the grading
period, the results, one UPDATE of every published result, the publication, the history, the
gradebook, its categories, its total scheme, the period's assessments and results (totals),
the guardians."""


@pytest.fixture
async def school(settings: Settings, demo_password_hash: str) -> DemoSummary:
    return await two_classes(settings, demo_password_hash)


U = TypeVar("U")


def on_roster(use_case: Callable[[UnitOfWork, Clock, RosterFactory], U], factory: Any) -> U:
    """A grades use case on `factory`'s sessions, the system clock and the institutions' roster."""
    clock = SystemClock()
    return use_case(UnitOfWork(factory), clock, lambda s: InstitutionsRoster(s, clock=clock))


async def test_a_publication_issues_as_many_statements_for_35_students_as_for_5(
    settings: Settings, school: DemoSummary
) -> None:
    async with counting(settings) as (factory, statements):
        assessments, students = await assessments_and_students(factory, school)
        assert len(students) == CLASS
        use = on_roster(PublishAssessment, factory)
        counted = []
        for assessment, request in [
            (assessments[0], PublishRequest(PublishScope.STUDENTS, students[:5])),
            (assessments[1], PublishRequest(PublishScope.ALL)),
        ]:
            statements.clear()
            publication = await use(teacher(school), assessment, request)
            counted.append((len(publication.changes), len(statements)))
    (five, few), (thirty_five, many) = counted
    assert (five, thirty_five) == (5, CLASS)
    assert few == many, f"{few} statements for 5 students, {many} for {CLASS}"
    assert many <= BOUND
    published = await fetch(
        settings.database_url,
        "SELECT published, version FROM grade_result WHERE assessment_id = :a",
        a=str(assessments[1])
        if settings.database_url.startswith("postgres")
        else assessments[1].hex,
    )
    assert len(published) == CLASS
    assert all(r.published is not None and r.version == 2 for r in published)


async def test_publishing_a_result_that_moved_meanwhile_is_a_conflict(
    settings: Settings, school: DemoSummary
) -> None:
    async with one_moved_meanwhile(settings, school) as (mine, results):
        publication = publish(
            publication_id=uuid.uuid4(),
            institution_id=school.institution_id,
            assessment_id=results[0].assessment_id,
            section_id=school.section_ids[0],
            results=results,
            scope=PublishScope.ALL,
            chosen=[],
            by=school.teacher1_id,
            by_name="Teacher One",
            at=results[0].updated_at,
            idempotency_key=None,
        )
        assert len(publication.changes) == CLASS
        with pytest.raises(ConflictError):
            await SqlAlchemyResults(mine.session).save_published(results)


async def drafts(settings: Settings, assessment: uuid.UUID) -> dict[str, tuple[str, int]]:
    """Student (as hex) → (the draft as entered, the version) of the assessment's results."""
    rows = await fetch(
        settings.database_url,
        "SELECT student_id, draft, version FROM grade_result WHERE assessment_id = :a",
        a=str(assessment) if settings.database_url.startswith("postgres") else assessment.hex,
    )
    return {
        uuid.UUID(str(r.student_id)).hex: (
            (r.draft if isinstance(r.draft, dict) else json.loads(r.draft))["entered"],
            r.version,
        )
        for r in rows
    }


async def test_entering_35_results_issues_as_many_statements_as_5(
    settings: Settings, school: DemoSummary
) -> None:
    async with counting(settings) as (factory, statements):
        assessments, students = await assessments_and_students(factory, school)
        assert len(students) == CLASS
        before = await drafts(settings, assessments[2])
        use = on_roster(EnterResults, factory)
        counted = []
        for few, value in [(students[:5], "3"), (students, "7")]:
            statements.clear()
            entered = await use(
                teacher(school),
                school.section_ids[0],
                [ResultEntry(assessments[2], s, value) for s in few],
            )
            assert entered.changed == [True] * len(few)
            counted.append(list(statements))
    five, thirty_five = counted
    assert len(five) == len(thirty_five), (five, thirty_five)
    assert sum(s.startswith("UPDATE grade_result") for s in thirty_five) == 1, thirty_five
    # Every draft is the last one entered, its version one up per change (the first five's
    # twice).
    first_five = {s.hex for s in students[:5]}
    assert await drafts(settings, assessments[2]) == {
        s: ("7", version + (2 if s in first_five else 1)) for s, (_, version) in before.items()
    }


async def test_entering_a_result_that_moved_meanwhile_is_a_conflict(
    settings: Settings, school: DemoSummary
) -> None:
    async with one_moved_meanwhile(settings, school) as (mine, results):
        editor = Editor(school.teacher1_id, "Teacher One")
        for result in results:
            assert result.enter(
                Mark(entered="5"),
                editor=editor,
                at=result.updated_at,
                expected_version=None,
                reason=None,
            )
        with pytest.raises(ConflictError):
            await SqlAlchemyResults(mine.session).save_drafts(results)
