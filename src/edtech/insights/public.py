"""What the rest of the product may use from insights: a student's attendance measures over a
range of school days (the same figures `GET /api/v1/attendance/measures` shows). Other slices
import only this module."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.insights.domain.measures import CHRONIC_PERCENT, StudentMeasures, student_measures
from edtech.insights.infrastructure.measures import period_marks
from edtech.insights.infrastructure.thresholds import thresholds_of

__all__ = [
    "CHRONIC_PERCENT",
    "StudentMeasures",
    "chronic_percent_of",
    "student_attendance_measures",
]


async def chronic_percent_of(session: AsyncSession, institution_id: uuid.UUID) -> int:
    """The share of enrolled days absent that makes absence chronic at this institution (its
    thresholds, `PUT /api/v1/insights/thresholds`; by default `CHRONIC_PERCENT`)."""
    return (await thresholds_of(session, institution_id)).chronic_absence_percent


async def student_attendance_measures(
    session: AsyncSession,
    institution_id: uuid.UUID,
    student_id: uuid.UUID,
    first: date,
    last: date,
    chronic_percent: int | None = None,
) -> StudentMeasures:
    """One student's measures from `first` to `last` (school days), chronic at
    `chronic_percent` of enrolled days absent (by default the institution's threshold)."""
    thresholds = await thresholds_of(session, institution_id)
    if chronic_percent is None:
        chronic_percent = thresholds.chronic_absence_percent
    marks = await period_marks(session, institution_id, first, last, student_id=student_id)
    return student_measures(student_id, marks, chronic_percent, thresholds.day_rule)
