"""What the rest of the product may use from insights: a student's attendance measures over a
range of school days (the same figures `GET /api/v1/attendance/measures` shows). Other slices
import only this module."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.insights.domain.measures import CHRONIC_PERCENT, StudentMeasures, student_measures
from edtech.insights.infrastructure.measures import period_marks

__all__ = ["CHRONIC_PERCENT", "StudentMeasures", "student_attendance_measures"]


async def student_attendance_measures(
    session: AsyncSession,
    institution_id: uuid.UUID,
    student_id: uuid.UUID,
    first: date,
    last: date,
    chronic_percent: int = CHRONIC_PERCENT,
) -> StudentMeasures:
    """One student's measures from `first` to `last` (school days), chronic at
    `chronic_percent` of enrolled days absent."""
    marks = await period_marks(session, institution_id, first, last, student_id=student_id)
    return student_measures(student_id, marks, chronic_percent)
