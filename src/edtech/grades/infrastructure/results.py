"""The audit history of results: appended with one Core statement per change set.

History rows are a log, not an aggregate: nothing loads them to change them, they raise no
events, and a publication writes one per student, so they go in as one INSERT with each column
bound as one array (`insert_many`), not a bind per cell.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.grades.domain import Change, Result
from edtech.grades.domain.publication import stored_name
from edtech.grades.infrastructure.tables import grade_change
from edtech.kernel.ids import new_id
from edtech.platform.db.bulk import insert_many


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
        # history rows point at their results: results added in this unit of work go first
        await self.session.flush()
        await insert_many(
            self.session,
            grade_change,
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
                    "actor_name": stored_name(actor_name),
                    "reason": change.reason,
                    "publication_id": publication_id,
                    "at": at,
                }
                for result, change in changes
            ],
        )
