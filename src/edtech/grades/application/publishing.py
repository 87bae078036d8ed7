"""Publishing results inside a use case's unit of work: records, history, and the events."""

from __future__ import annotations

import uuid
from datetime import datetime

from edtech.grades.application.ports import Roster
from edtech.grades.domain import (
    Assessment,
    AssessmentPublished,
    Editor,
    GradesPublished,
    Publication,
    PublishScope,
    Result,
    plain,
    publish,
)
from edtech.grades.infrastructure.loading import load_section_book
from edtech.grades.infrastructure.results import (
    SqlAlchemyHistory,
    SqlAlchemyPublications,
    SqlAlchemyResults,
)
from edtech.kernel.ids import new_id
from edtech.platform.db.uow import UnitOfWork


async def publish_results(
    uow: UnitOfWork,
    roster: Roster,
    results_repo: SqlAlchemyResults,
    *,
    assessment: Assessment,
    results: list[Result],
    scope: PublishScope,
    chosen: list[uuid.UUID],
    editor: Editor,
    at: datetime,
    idempotency_key: str | None = None,
    reason: str | None = None,
) -> Publication:
    """Publish, then tell each student and entitled guardian (with the new total) and the
    section's teachers. Students whose visible result did not change are not told again."""
    publication = publish(
        publication_id=new_id(),
        institution_id=assessment.institution_id,
        assessment_id=assessment.id,
        section_id=assessment.section_id,
        results=results,
        scope=scope,
        chosen=chosen,
        by=editor.person_id,
        by_name=editor.name,
        at=at,
        idempotency_key=idempotency_key,
        reason=reason,
    )
    by_student = {r.student_id: r for r in results}
    changed = [(by_student[c.student_id], c.change) for c in publication.changes]
    for result, _ in changed:
        await results_repo.save(result)
    await SqlAlchemyPublications(uow.session).add(publication)
    await SqlAlchemyHistory(uow.session).record(
        changed,
        actor_id=editor.person_id,
        actor_name=editor.name,
        at=at,
        publication_id=publication.id,
    )
    if not publication.changes:
        return publication
    students = [c.student_id for c in publication.changes]
    book = await load_section_book(
        uow.session,
        assessment.institution_id,
        assessment.section_id,
        grading_period_id=assessment.grading_period_id,
        student_ids=students,
    )
    guardians_of = await roster.guardians_to_notify_many(assessment.institution_id, students)
    for change in publication.changes:
        guardians = guardians_of[change.student_id]
        uow.emit(
            GradesPublished(
                institution_id=assessment.institution_id,
                occurred_at=at,
                section_id=assessment.section_id,
                assessment_id=assessment.id,
                assessment_title=assessment.title,
                publication_id=publication.id,
                student_id=change.student_id,
                result={
                    **change.change.after.as_data(),
                    "max_points": plain(assessment.max_points),
                },
                previous=None if change.change.before is None else change.change.before.as_data(),
                changes=change.summary,
                total=book.total(change.student_id, published=True).as_data(),
                recipients=(change.student_id, *guardians),
            )
        )
    uow.emit(
        AssessmentPublished(
            institution_id=assessment.institution_id,
            occurred_at=at,
            section_id=assessment.section_id,
            assessment_id=assessment.id,
            publication_id=publication.id,
            scope=scope.value,
            published_by=editor.person_id,
            published_by_name=editor.name,
            changes=[c.as_data() for c in publication.changes],
        )
    )
    return publication
