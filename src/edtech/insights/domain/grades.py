"""Grade indicators: failing courses, totals that dropped since the last publication, missing
work — from each course's published total. Pure: no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from edtech.insights.domain import Finding, Indicator, Level
from edtech.insights.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds


@dataclass(frozen=True)
class CourseStanding:
    """A student's published standing in one section (course) as insights last saw it: the
    total (None: nothing counted yet), since which school day, the total before it and since
    when, and the published results flagged missing."""

    section_id: uuid.UUID
    title: str
    school_id: uuid.UUID | None
    percent: Decimal | None
    since: date
    previous_percent: Decimal | None = None
    previous_since: date | None = None
    missing: tuple[uuid.UUID, ...] = ()

    @property
    def drop(self) -> Decimal | None:
        """Points lost since the previous published total (None when it did not fall)."""
        if self.percent is None or self.previous_percent is None:
            return None
        fall = self.previous_percent - self.percent
        return fall if fall > 0 else None


def _day(d: date) -> str:
    return f"{d.day} {d:%b}"


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _school(courses: Sequence[CourseStanding]) -> uuid.UUID | None:
    return next((c.school_id for c in courses if c.school_id is not None), None)


def _grades_link(student_id: uuid.UUID, c: CourseStanding) -> dict[str, str]:
    return {
        "rel": "grades",
        "href": f"/api/v1/sections/{c.section_id}/students/{student_id}/grades",
    }


def failing_finding(
    student_id: uuid.UUID,
    courses: Sequence[CourseStanding],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Finding:
    """A course whose published total is below `failing_percent` is failing; one is an alert."""
    graded = [c for c in courses if c.percent is not None]
    failing = [
        c for c in graded if c.percent is not None and c.percent < thresholds.failing_percent
    ]
    if not graded:
        evidence = "No published course totals yet."
    elif not failing:
        evidence = f"No course below {thresholds.failing_percent} % ({len(graded)} with a total)"
    else:
        evidence = "; ".join(
            f"{c.title} total {_pct(c.percent)} % (below {thresholds.failing_percent} %)"
            for c in failing
            if c.percent is not None
        )
    return Finding(
        Indicator.COURSE_FAILING,
        Level.ALERT if failing else Level.NONE,
        len(failing),
        len(graded),
        evidence,
        _school(failing or graded),
        links=tuple(_grades_link(student_id, c) for c in failing),
    )


def drop_finding(
    student_id: uuid.UUID,
    courses: Sequence[CourseStanding],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Finding:
    """A course total down `grade_drop_points` or more since the previous publication is an
    alert ("Maths total 48 %, down 14 points since 20 Nov")."""
    graded = [c for c in courses if c.percent is not None]
    dropped = [c for c in graded if (d := c.drop) is not None and d >= thresholds.grade_drop_points]
    if not dropped:
        evidence = (
            f"No course total down {thresholds.grade_drop_points} points or more "
            "since its previous publication"
            if graded
            else "No published course totals yet."
        )
    else:
        evidence = "; ".join(
            f"{c.title} total {_pct(c.percent)} %, down {_pct(c.drop)} points since "
            f"{_day(c.previous_since)}"
            for c in dropped
            if c.percent is not None and c.drop is not None and c.previous_since is not None
        )
    return Finding(
        Indicator.GRADE_DROP,
        Level.ALERT if dropped else Level.NONE,
        len(dropped),
        len(graded),
        evidence,
        _school(dropped or graded),
        links=tuple(_grades_link(student_id, c) for c in dropped),
    )


def missing_finding(
    student_id: uuid.UUID,
    courses: Sequence[CourseStanding],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Finding:
    """Published results flagged missing, over every course: `missing_work` or more is an
    alert ("4 pieces of work missing: Maths 3, Science 1")."""
    with_missing = [c for c in courses if c.missing]
    total = sum(len(c.missing) for c in with_missing)
    if not total:
        evidence = "No missing work"
    else:
        piece = "piece" if total == 1 else "pieces"
        evidence = f"{total} {piece} of work missing: " + ", ".join(
            f"{c.title} {len(c.missing)}" for c in with_missing
        )
    return Finding(
        Indicator.MISSING_WORK,
        Level.ALERT if total >= thresholds.missing_work else Level.NONE,
        total,
        len(courses),
        evidence,
        _school(with_missing or courses),
        links=tuple(
            {"rel": "assessment", "href": f"/api/v1/assessments/{a}"}
            for c in with_missing
            for a in c.missing
        ),
    )


def grade_findings(
    student_id: uuid.UUID,
    courses: Sequence[CourseStanding],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[Finding]:
    return [
        failing_finding(student_id, courses, thresholds),
        drop_finding(student_id, courses, thresholds),
        missing_finding(student_id, courses, thresholds),
    ]
