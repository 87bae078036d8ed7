"""Use case: an integration creates or replaces a line item (an assessment) of a class."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from edtech.institutions.public import academic_session
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.oneroster.application.gradebook import Context, GradebookCase, section_term, target
from edtech.oneroster.application.put_category import CATEGORY
from edtech.oneroster.infrastructure.clients import Integration


@dataclass(frozen=True)
class LineItemPut:
    title: str
    class_sourced_id: str
    result_value_max: Decimal
    due_at: datetime | None
    category: str | None
    grading_period_sourced_id: str | None
    record: dict[str, Any]


def category_title(ctx: Context, sourced_id: str | None) -> str | None:
    """The name of the category in the class's gradebook: the title of a category PUT before
    under that sourcedId, else the sourcedId itself."""
    if sourced_id is None:
        return None
    found = ctx.sources.get(CATEGORY, sourced_id)
    title = found.record.get("title") if found is not None and found.status == "active" else None
    return str(title) if title else sourced_id


class PutLineItem(GradebookCase):
    """A line item is an assessment of the class's gradebook, identified by its sourcedId:
    the first PUT creates it (in today's grading period unless one is named, in the category
    of the named category's title — or of that name, when no category was PUT — created if
    the gradebook is unweighted), a later PUT replaces it."""

    async def __call__(self, integration: Integration, sourced_id: str, item: LineItemPut) -> bool:
        async with self.uow:
            ctx = await self.context(integration)
            section = target(ctx, "class", item.class_sourced_id, "class")
            period = (
                target(ctx, "academicSession", item.grading_period_sourced_id, "gradingPeriod")
                if item.grading_period_sourced_id
                else None
            )
            if period is not None:
                info = await academic_session(self.uow.session, integration.institution_id, period)
                if info is None or info.kind != "grading_period":
                    raise InvalidError(
                        "unknown grading period",
                        [FieldProblem(("gradingPeriod", "sourcedId"), "no such grading period")],
                    )
            found = ctx.sources.get("lineItem", sourced_id)
            assessment = await ctx.grades.put_assessment(
                found.target_id if found else None,
                section_id=section,
                term_id=await section_term(ctx, section),
                title=item.title,
                max_points=item.result_value_max,
                category=category_title(ctx, item.category),
                grading_period_id=period,
                due_at=item.due_at,
            )
            await ctx.sources.put(
                "lineItem", sourced_id, assessment, "active", item.record, ctx.now
            )
            await self.uow.commit()
        return found is None
