"""Repositories of results, publications and the audit history (Core, versions checked)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.grades.domain import Change, Mark, Publication, Result
from edtech.grades.infrastructure.repositories import insert_once, stale
from edtech.grades.infrastructure.tables import grade_change, grade_publication, grade_result
from edtech.kernel.ids import new_id


def result_from_row(row: Any) -> Result:
    return Result(
        id=row.id,
        institution_id=row.institution_id,
        assessment_id=row.assessment_id,
        section_id=row.section_id,
        student_id=row.student_id,
        draft=Mark.from_data(row.draft),
        published=None if row.published is None else Mark.from_data(row.published),
        published_at=row.published_at,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


class SqlAlchemyResults:
    """Results by assessment; `save` writes only what changed and refuses lost updates."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._versions: dict[uuid.UUID, int] = {}

    async def for_assessments(
        self, institution_id: uuid.UUID, assessment_ids: list[uuid.UUID]
    ) -> list[Result]:
        if not assessment_ids:
            return []
        rows = (
            await self.session.execute(
                sa.select(grade_result)
                .where(
                    grade_result.c.institution_id == institution_id,
                    grade_result.c.assessment_id.in_(set(assessment_ids)),
                )
                .order_by(grade_result.c.assessment_id, grade_result.c.student_id)
            )
        ).all()
        out = [result_from_row(r) for r in rows]
        self._versions.update({r.id: r.version for r in out})
        return out

    async def save(self, result: Result) -> None:
        values = {
            "draft": result.draft.as_data(),
            "published": None if result.published is None else result.published.as_data(),
            "published_at": result.published_at,
            "version": result.version,
            "updated_at": result.updated_at,
            "updated_by": result.updated_by,
        }
        loaded = self._versions.get(result.id)
        if loaded == result.version:
            return
        if loaded is None:
            await insert_once(
                self.session,
                grade_result.insert().values(
                    id=result.id,
                    institution_id=result.institution_id,
                    assessment_id=result.assessment_id,
                    section_id=result.section_id,
                    student_id=result.student_id,
                    **values,
                ),
                "a result",
            )
        else:
            done = await self.session.execute(
                grade_result.update()
                .where(grade_result.c.id == result.id, grade_result.c.version == loaded)
                .values(**values)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise stale("a result")
        self._versions[result.id] = result.version


class SqlAlchemyPublications:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, p: Publication) -> None:
        await self.session.execute(
            grade_publication.insert().values(
                id=p.id,
                institution_id=p.institution_id,
                assessment_id=p.assessment_id,
                section_id=p.section_id,
                scope=p.scope.value,
                student_ids=[str(s) for s in p.student_ids],
                published_by=p.published_by,
                published_by_name=p.published_by_name,
                published_at=p.published_at,
                idempotency_key=p.idempotency_key,
                changes=[c.as_data() for c in p.changes],
            )
        )


class SqlAlchemyHistory:
    """Appends to the audit history; never updates or deletes it."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        changes: list[tuple[Result, Change]],
        *,
        actor_id: uuid.UUID,
        actor_name: str,
        at: datetime,
        publication_id: uuid.UUID | None = None,
    ) -> None:
        if not changes:
            return
        await self.session.execute(
            grade_change.insert(),
            [
                {
                    "id": new_id(),
                    "institution_id": result.institution_id,
                    "result_id": result.id,
                    "assessment_id": result.assessment_id,
                    "section_id": result.section_id,
                    "student_id": result.student_id,
                    "field": change.field,
                    "before": None if change.before is None else change.before.as_data(),
                    "after": change.after.as_data(),
                    "actor_id": actor_id,
                    "actor_name": actor_name,
                    "reason": change.reason,
                    "publication_id": publication_id,
                    "at": at,
                }
                for result, change in changes
            ],
        )
