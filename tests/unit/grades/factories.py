"""Small builders for grades domain tests (no I/O)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from edtech.grades.domain import (
    Assessment,
    Category,
    GradingScheme,
    LetterBand,
    Mark,
    Result,
    SchemeKind,
)
from edtech.kernel.ids import new_id

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
INSTITUTION = uuid.UUID("00000000-0000-7000-8000-000000000001")
SECTION = uuid.UUID("00000000-0000-7000-8000-000000000002")


def points_scheme() -> GradingScheme:
    return GradingScheme(
        id=new_id(), institution_id=INSTITUTION, name="Points", kind=SchemeKind.POINTS
    )


def letter_scheme() -> GradingScheme:
    bands = (("A", "90"), ("B", "80"), ("C", "70"), ("D", "60"), ("F", "0"))
    return GradingScheme(
        id=new_id(),
        institution_id=INSTITUTION,
        name="A-F",
        kind=SchemeKind.LETTER,
        bands=tuple(LetterBand(letter, Decimal(low)) for letter, low in bands),
    )


def assessment(
    max_points: str = "10", category: Category | None = None, scheme: GradingScheme | None = None
) -> Assessment:
    return Assessment(
        id=new_id(),
        institution_id=INSTITUTION,
        section_id=SECTION,
        category_id=category.id if category else new_id(),
        grading_period_id=new_id(),
        scheme_id=(scheme or points_scheme()).id,
        title="Quiz",
        max_points=Decimal(max_points),
        created_at=NOW,
    )


def result(student: uuid.UUID | None = None, draft: Mark | None = None) -> Result:
    return Result(
        id=new_id(),
        institution_id=INSTITUTION,
        assessment_id=new_id(),
        section_id=SECTION,
        student_id=student or new_id(),
        draft=draft or Mark(),
        updated_at=NOW,
    )


def mark(points: str | None, *flags: str, comment: str | None = None) -> Mark:
    from edtech.grades.domain import Flag

    return Mark(
        points=None if points is None else Decimal(points),
        entered=points,
        comment=comment,
        flags=frozenset(Flag(f) for f in flags),
    )
