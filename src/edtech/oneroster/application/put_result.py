"""Use case: an integration writes or replaces a student's result on a line item."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from edtech.kernel.errors import NotFoundError
from edtech.oneroster.application.gradebook import FLAG_OF_STATUS, GradebookCase, target
from edtech.oneroster.infrastructure.clients import Integration


@dataclass(frozen=True)
class ResultPut:
    line_item_sourced_id: str
    student_sourced_id: str
    score: Decimal | None
    score_status: str
    comment: str | None
    record: dict[str, Any]


class PutResult(GradebookCase):
    """A result is the student's draft on the line item: a score above the line item's maximum
    is extra credit; `scoreStatus` `exempt` leaves it out of totals and `not submitted` marks it
    missing. Students and guardians see it when a teacher publishes."""

    async def __call__(self, integration: Integration, sourced_id: str, put: ResultPut) -> bool:
        async with self.uow:
            ctx = await self.context(integration)
            item = ctx.sources.get("lineItem", put.line_item_sourced_id)
            if item is None or item.status != "active":
                raise NotFoundError("line item not found")
            student = target(ctx, "user", put.student_sourced_id, "student")
            flag = FLAG_OF_STATUS.get(put.score_status)
            await ctx.grades.put_result(
                item.target_id,
                student,
                points=put.score,
                flags={flag} if flag else set(),
                comment=put.comment,
                editor=ctx.editor,
            )
            found = ctx.sources.get("result", sourced_id)
            await ctx.sources.put("result", sourced_id, student, "active", put.record, ctx.now)
            await self.uow.commit()
        return found is None or found.status != "active"
