"""A section's gradebook held for totals: the published view and the teacher's view."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from edtech.grades.domain.gradebook import Assessment, Gradebook, Weighting
from edtech.grades.domain.results import Result
from edtech.grades.domain.schemes import GradingScheme
from edtech.grades.domain.totals import Item, Total, compute_total


@dataclass
class SectionBook:
    """Everything a total needs: settings, categories, assessments and results (by student)."""

    gradebook: Gradebook | None
    scheme: GradingScheme | None
    assessments: list[Assessment]
    results: dict[tuple[uuid.UUID, uuid.UUID], Result] = field(default_factory=dict)

    @cached_property
    def _assessment_fields(self) -> list[tuple[uuid.UUID, str, uuid.UUID, Decimal]]:
        """What a total reads of each assessment, read once for all students (a class's totals
        would otherwise go through the mapped attributes 35 times)."""
        return [(a.id, a.title, a.category_id, a.max_points) for a in self.assessments]

    def total(self, student_id: uuid.UUID, *, published: bool) -> Total:
        """Published: only what the student can see. Teacher: every draft, published or not."""
        items = []
        for a_id, title, category_id, max_points in self._assessment_fields:
            result = self.results.get((a_id, student_id))
            mark = None
            if result is not None:
                mark = result.published if published else result.draft
            items.append(Item(a_id, title, category_id, max_points, mark))
        book = self.gradebook
        return compute_total(
            weighting=book.weighting if book else Weighting.UNWEIGHTED,
            categories=list(book.categories) if book else [],
            items=items,
            scheme=self.scheme,
        )
