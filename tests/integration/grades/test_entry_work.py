"""A class's grades entered in one request, counted (not timed): the statements do not grow
with the class — the changed drafts are one UPDATE — and that statement still refuses a result
that moved meanwhile."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from edtech.demo import DemoSummary
from edtech.grades.application.enter_results import EnterResults, ResultEntry
from edtech.grades.domain import Editor, Mark
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


@pytest.fixture
async def school(settings: Settings, demo_password_hash: str) -> DemoSummary:
    return await two_classes(settings, demo_password_hash)


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
    engine = make_engine(settings.database_url)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(" ".join(statement.split())[:60])

    try:
        factory = make_session_factory(engine)
        assessments, students = await assessments_and_students(factory, school)
        assert len(students) == CLASS
        before = await drafts(settings, assessments[2])
        clock = SystemClock()
        use = EnterResults(UnitOfWork(factory), clock, lambda s: InstitutionsRoster(s, clock=clock))
        sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
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
        sa.event.remove(engine.sync_engine, "before_cursor_execute", count)
    finally:
        await engine.dispose()
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
    finally:
        await engine.dispose()
