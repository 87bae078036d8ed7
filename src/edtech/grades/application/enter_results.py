"""Use case: enter results, one or a whole class at once, all or nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from edtech.grades.application.common import publish_results, require_gradebook_manager
from edtech.grades.application.ports import Roster, RosterFactory
from edtech.grades.domain import (
    Assessment,
    Change,
    Editor,
    Flag,
    GradingScheme,
    Mark,
    PostPolicy,
    Publication,
    PublishScope,
    Result,
    guard_edit,
    mark_problems,
)
from edtech.grades.infrastructure.repositories import (
    SqlAlchemyAssessments,
    SqlAlchemyGradebooks,
    SqlAlchemyResults,
    SqlAlchemySchemes,
    conflicts_as,
)
from edtech.grades.infrastructure.results import SqlAlchemyHistory
from edtech.kernel.clock import Clock
from edtech.kernel.errors import (
    ConflictError,
    FieldProblem,
    ForbiddenError,
    InvalidError,
)
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class ResultEntry:
    """One cell: `value` in the assessment scheme's terms ("8.5", "92", "B", "pass") or None."""

    assessment_id: uuid.UUID
    student_id: uuid.UUID
    value: str | None = None
    comment: str | None = None
    flags: frozenset[Flag] = frozenset()
    expected_version: int | None = None


@dataclass
class ResultsEntered:
    """Each entry's result (in request order), whether it changed, and any auto-publications."""

    results: list[Result]
    changed: list[bool]
    publications: list[Publication] = field(default_factory=list)


class EnterResults:
    """Teachers of the section enter draft results; each entry is checked, and if any is wrong
    nothing is saved and every problem is reported by its index.

    The student must be enrolled in the section; the score must fit the scheme, not be
    negative, and not exceed the maximum unless flagged extra credit; a stale version is a
    conflict. In a closed grading period only an admin may enter, with a reason. Results of
    automatically posted assessments are published as they are entered.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow = uow
        self.clock = clock
        self.roster = roster

    async def __call__(
        self,
        principal: Principal,
        section_id: uuid.UUID,
        entries: list[ResultEntry],
        reason: str | None = None,
    ) -> ResultsEntered:
        now = self.clock.now()
        if not entries:
            raise InvalidError("no results given", [FieldProblem(("items",), "must not be empty")])
        async with self.uow as uow, conflicts_as("a result"):
            roster = self.roster(uow.session)
            editor = await require_gradebook_manager(roster, principal, section_id)
            iid = principal.institution_id
            assessments_repo = SqlAlchemyAssessments(uow.session)
            assessments = await assessments_repo.many(iid, [e.assessment_id for e in entries])
            marks = await self._check(
                uow, roster, editor, iid, section_id, assessments, entries, reason
            )
            results_repo = SqlAlchemyResults(uow.session)
            existing = {
                (r.assessment_id, r.student_id): r
                for r in await results_repo.for_assessments(iid, list(assessments))
            }
            outcome = ResultsEntered([], [])
            changes: list[tuple[Result, Change]] = []
            conflicts: list[FieldProblem] = []
            for i, (entry, mark) in enumerate(zip(entries, marks, strict=True)):
                key = (entry.assessment_id, entry.student_id)
                result = existing.get(key) or Result(
                    id=new_id(),
                    institution_id=iid,
                    assessment_id=entry.assessment_id,
                    section_id=section_id,
                    student_id=entry.student_id,
                    updated_at=now,
                )
                is_new = key not in existing
                existing[key] = result
                try:
                    change = result.enter(
                        mark,
                        editor=editor,
                        at=now,
                        expected_version=entry.expected_version,
                        reason=reason,
                    )
                except ConflictError as exc:
                    conflicts.append(
                        FieldProblem(("items", i, "version"), exc.message, "stale_version")
                    )
                    continue
                outcome.results.append(result)
                outcome.changed.append(change is not None)
                if change is not None:
                    changes.append((result, change))
                    if is_new:
                        results_repo.add(result)
            if conflicts:
                raise ConflictError(
                    f"{len(conflicts)} of {len(entries)} items are stale; nothing was saved",
                    errors=[
                        {"loc": list(p.loc), "msg": p.message, "type": p.type} for p in conflicts
                    ],
                )
            await results_repo.save_drafts([result for result, _ in changes])
            await SqlAlchemyHistory(uow.session).record(
                changes, actor_id=editor.person_id, actor_name=editor.name, at=now
            )
            outcome.publications = await self._post_automatically(
                uow, roster, assessments, changes, existing, editor, reason
            )
            await uow.commit()
        return outcome

    async def _check(
        self,
        uow: UnitOfWork,
        roster: Roster,
        editor: Editor,
        institution_id: uuid.UUID,
        section_id: uuid.UUID,
        assessments: dict[uuid.UUID, Assessment],
        entries: list[ResultEntry],
        reason: str | None,
    ) -> list[Mark]:
        """Every entry's mark, or an error listing every problem by item and field."""
        today = await roster.today(institution_id)
        enrolled = set(await roster.students_of_section(institution_id, section_id))
        schemes: dict[uuid.UUID, GradingScheme | None] = {}
        locked: dict[uuid.UUID, bool] = {}
        problems: list[FieldProblem] = []
        seen: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
        marks: list[Mark | None] = []
        for i, entry in enumerate(entries):
            at = ("items", i)
            a = assessments.get(entry.assessment_id)
            if a is None or a.section_id != section_id:
                problems.append(
                    FieldProblem((*at, "assessment_id"), "not an assessment of this section")
                )
                marks.append(None)
                continue
            if entry.student_id not in enrolled:
                problems.append(
                    FieldProblem(
                        (*at, "student_id"), "is not enrolled in this section", "not_enrolled"
                    )
                )
            key = (entry.assessment_id, entry.student_id)
            if key in seen:
                problems.append(FieldProblem((*at, "student_id"), f"same cell as item {seen[key]}"))
            seen[key] = i
            if a.scheme_id not in schemes:
                schemes[a.scheme_id] = await SqlAlchemySchemes(uow.session).get(
                    institution_id, a.scheme_id
                )
            if a.id not in locked:
                period = await roster.grading_period(institution_id, a.grading_period_id)
                locked[a.id] = period is not None and period.is_locked(today)
                if locked[a.id]:
                    try:
                        guard_edit(
                            locked=True,
                            editor=editor,
                            reason=reason,
                            closes_on=period.closes_on if period else None,
                        )
                    except ForbiddenError as exc:
                        raise ForbiddenError(f"item {i}: {exc.message}") from None
                    except InvalidError as exc:
                        problems.extend(exc.problems)
            scheme = schemes[a.scheme_id]
            assert scheme is not None  # schemes are never deleted
            mark, wrong = mark_problems(scheme, a, entry.value, entry.comment, entry.flags)
            problems.extend(FieldProblem((*at, *p.loc), p.message, p.type) for p in wrong)
            marks.append(mark)
        if problems:
            bad = {p.loc[1] for p in problems if p.loc[0] == "items"}
            raise InvalidError(
                f"{len(bad)} of {len(entries)} items are invalid; nothing was saved",
                problems,
            )
        return [m for m in marks if m is not None]

    async def _post_automatically(
        self,
        uow: UnitOfWork,
        roster: Roster,
        assessments: dict[uuid.UUID, Assessment],
        changes: list[tuple[Result, Change]],
        existing: dict[tuple[uuid.UUID, uuid.UUID], Result],
        editor: Editor,
        reason: str | None,
    ) -> list[Publication]:
        """Assessments that post automatically publish what was just entered."""
        touched = sorted({r.assessment_id for r, _ in changes})
        if not touched:
            return []
        first = assessments[touched[0]]
        book = await SqlAlchemyGradebooks(uow.session).get(first.institution_id, first.section_id)
        default = book.post_policy if book else PostPolicy.MANUAL
        publications = []
        for assessment_id in touched:
            a = assessments[assessment_id]
            if (a.post_policy or default) is not PostPolicy.AUTOMATIC:
                continue
            publications.append(
                await publish_results(
                    uow,
                    roster,
                    assessment=a,
                    results=[r for (aid, _), r in existing.items() if aid == assessment_id],
                    scope=PublishScope.STUDENTS,
                    chosen=[r.student_id for r, _ in changes if r.assessment_id == assessment_id],
                    editor=editor,
                    at=self.clock.now(),
                    reason=reason,
                )
            )
        return publications
