"""What the grades use cases share: who may keep a gradebook, the closed-period guard, and
publishing results inside a use case's unit of work."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from edtech.grades.application.ports import Roster
from edtech.grades.domain import (
    Assessment,
    Editor,
    GradingPeriod,
    Publication,
    PublishScope,
    Result,
    guard_edit,
    publish,
)
from edtech.grades.infrastructure.loading import load_section_book
from edtech.grades.infrastructure.repositories import SqlAlchemyPublications, SqlAlchemyResults
from edtech.grades.infrastructure.results import SqlAlchemyHistory
from edtech.kernel.errors import FieldProblem, ForbiddenError, NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal, Role
from edtech.platform.db.uow import UnitOfWork


async def require_gradebook_manager(
    roster: Roster, principal: Principal, section_id: uuid.UUID
) -> Editor:
    """Teachers and aides of the section, and admins of its school, keep its gradebook.

    Only admins may change grades after a grading period closed. Another tenant's section is
    unknown (404), exactly like a missing one.
    """
    school_id = await roster.school_of_section(principal.institution_id, section_id)
    if school_id is None:
        raise NotFoundError("section not found")
    admin = principal.is_admin_of(school_id)
    # the school is known: an admin needs no further look-up, a teacher one (not the section's
    # school again, as `may_manage_section` would)
    if not admin and not await roster.teaches_section(principal, section_id):
        raise ForbiddenError("only the section's teachers and its school's admins keep its grades")
    return Editor(person_id=principal.person_id, name=principal.display_name, may_edit_locked=admin)


def require_scheme_author(principal: Principal) -> None:
    """Teachers and admins (of the institution or any school) define grading schemes."""
    if not principal.roles & {Role.TEACHER, Role.INSTITUTION_ADMIN, Role.SCHOOL_ADMIN}:
        raise ForbiddenError("only teachers and administrators define grading schemes")


def check_period(
    period: GradingPeriod | None, editor: Editor, today: date, reason: str | None
) -> list[FieldProblem]:
    """The period must exist; once it closed, only an admin changes its gradebook, with a reason."""
    if period is None:
        return [FieldProblem(("grading_period_id",), "no such grading period")]
    guard_edit(
        locked=period.is_locked(today), editor=editor, reason=reason, closes_on=period.closes_on
    )
    return []


async def publish_results(
    uow: UnitOfWork,
    roster: Roster,
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
    """Publish, record the history, then tell each student and entitled guardian (with the new
    total) and the section's teachers. Students whose visible result did not change are not
    told again."""
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
    await SqlAlchemyResults(uow.session).save_published(
        [by_student[c.student_id] for c in publication.changes]
    )
    SqlAlchemyPublications(uow.session).add(publication)
    await SqlAlchemyHistory(uow.session).record(
        [(by_student[c.student_id], c.change) for c in publication.changes],
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
    publication.announce(
        assessment_title=assessment.title,
        max_points=assessment.max_points,
        totals={s: book.total(s, published=True).as_data() for s in students},
        guardians=await roster.guardians_to_notify_many(assessment.institution_id, students),
    )
    return publication
