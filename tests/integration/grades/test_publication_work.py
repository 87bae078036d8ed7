"""A publication's own work, counted (not timed): its statements do not grow with the class,
and the one statement that writes every result still refuses a result that moved meanwhile."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from edtech.demo import DemoSummary
from edtech.grades.application import PublishAssessment
from edtech.grades.application.publish_assessment import PublishRequest
from edtech.grades.domain import PublishScope, publish
from edtech.grades.infrastructure.repositories import SqlAlchemyResults
from edtech.grades.infrastructure.roster import InstitutionsRoster
from edtech.kernel.clock import SystemClock
from edtech.kernel.errors import ConflictError
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from edtech.settings import Settings
from tests.integration.grades.helpers import (
    CLASS,
    assessments_and_students,
    fetch,
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


async def test_a_publication_issues_as_many_statements_for_35_students_as_for_5(
    settings: Settings, school: DemoSummary
) -> None:
    engine = make_engine(settings.database_url)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    try:
        factory = make_session_factory(engine)
        assessments, students = await assessments_and_students(factory, school)
        assert len(students) == CLASS
        clock = SystemClock()
        use = PublishAssessment(
            UnitOfWork(factory), clock, lambda s: InstitutionsRoster(s, clock=clock)
        )
        sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
        counted = []
        for assessment, request in [
            (assessments[0], PublishRequest(PublishScope.STUDENTS, students[:5])),
            (assessments[1], PublishRequest(PublishScope.ALL)),
        ]:
            statements.clear()
            publication = await use(teacher(school), assessment, request)
            counted.append((len(publication.changes), len(statements)))
        sa.event.remove(engine.sync_engine, "before_cursor_execute", count)
    finally:
        await engine.dispose()
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
    engine = make_engine(settings.database_url)
    try:
        factory = make_session_factory(engine)
        assessments, _ = await assessments_and_students(factory, school)
        iid = school.institution_id
        async with UnitOfWork(factory) as mine, UnitOfWork(factory) as theirs:
            results = await SqlAlchemyResults(mine.session).for_assessments(iid, assessments[:1])
            moved = (await SqlAlchemyResults(theirs.session).for_assessments(iid, assessments[:1]))[
                -1
            ]
            moved.version += 1
            moved.updated_by = school.teacher1_id
            await theirs.commit()
            publication = publish(
                publication_id=uuid.uuid4(),
                institution_id=iid,
                assessment_id=assessments[0],
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
    finally:
        await engine.dispose()
