"""The per-student feature table behind the signals, versioned, and the rule-based scorer that
is the scoring port's default. Pure: no I/O."""

from __future__ import annotations

import abc
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from edtech.insights.domain import Level
from edtech.insights.domain.measures import (
    DEFAULT_DAY_RULE,
    DayRule,
    PeriodMark,
    day_credit,
    student_measures,
)
from edtech.insights.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds

FEATURE_VERSION = 3
"""Version 2 added the grade features (`courses_with_total` … `missing_work`); version 3 judges
them as of `as_of` (version 2 took the latest totals whatever the day). Bumped whenever a
feature is added, removed or computed differently: a model trained on one version is scored
only on the same version."""
RECENT_DAYS = 10

FEATURES: dict[str, str] = {
    "days_enrolled": "school days with an ended session of the student in the range",
    "days_absent": "enrolled days not attended (a half day attended counts 0.5)",
    "absence_rate": "days_absent ÷ days_enrolled, 0–1",
    "absences_unexcused": "periods absent without an approved note",
    "absences_excused": "periods absent with an approved note",
    "tardies": "periods marked tardy",
    "minutes_late": "minutes late over the tardy periods",
    "longest_absence_streak": "most enrolled days in a row with nothing attended",
    "current_absence_streak": "enrolled days with nothing attended up to the last one",
    "recent_days_absent": f"days absent among the last {RECENT_DAYS} enrolled days",
    "courses_with_total": "courses with a published total on `as_of` (insights keeps each "
    "course's last two totals and the days it first saw them: a course whose earliest kept "
    "total came later has none)",
    "lowest_course_total": "the lowest published course total on `as_of`, % (empty: none)",
    "failing_courses": "courses whose total on `as_of` is below the institution's "
    "`failing_percent`",
    "largest_grade_drop": "the most points a course total on `as_of` had fallen since the "
    "publication before it (0: none fell, or that one is no longer kept)",
    "missing_work": "published results flagged missing, over every course: the latest count "
    "(no history is kept), 0 when no course had a total on `as_of`",
}
"""Every feature, in column order, with its meaning (version `FEATURE_VERSION`)."""


@dataclass(frozen=True)
class StudentFeatures:
    student_id: uuid.UUID
    as_of: date
    days_enrolled: int
    days_absent: float
    absence_rate: float
    absences_unexcused: int
    absences_excused: int
    tardies: int
    minutes_late: int
    longest_absence_streak: int
    current_absence_streak: int
    recent_days_absent: float


def student_features(
    student_id: uuid.UUID,
    marks: Sequence[PeriodMark],
    as_of: date,
    rule: DayRule = DEFAULT_DAY_RULE,
) -> StudentFeatures:
    """The student's features from their ended periods up to `as_of`, days credited by `rule`
    (the institution's)."""
    marks = [m for m in marks if m.day <= as_of]
    m = student_measures(student_id, marks, rule=rule)
    days: dict[date, list[PeriodMark]] = {}
    for mark in marks:
        days.setdefault(mark.day, []).append(mark)
    recent = sorted(days)[-RECENT_DAYS:]
    return StudentFeatures(
        student_id=student_id,
        as_of=as_of,
        days_enrolled=m.days_enrolled,
        days_absent=m.days_absent,
        absence_rate=round(m.days_absent / m.days_enrolled, 4) if m.days_enrolled else 0.0,
        absences_unexcused=m.absences_unexcused,
        absences_excused=m.absences_excused,
        tardies=m.tardies,
        minutes_late=m.minutes_late,
        longest_absence_streak=m.longest_absence_streak,
        current_absence_streak=m.current_absence_streak,
        recent_days_absent=sum(1 - day_credit(days[d], rule) for d in recent),
    )


@dataclass(frozen=True)
class SeenTotal:
    """A course's published total as insights last saw it, from which school day (`since`),
    and the one before it with its own day — the two points of its history insights keeps."""

    percent: Decimal | None
    since: date
    previous_percent: Decimal | None = None
    previous_since: date | None = None

    def as_of(self, day: date) -> tuple[Decimal | None, Decimal | None] | None:
        """(the total on `day`, the one before it) — None when neither kept total had been
        seen yet by then. On a day before the latest, the previous total stood, and what
        came before it is no longer kept (no drop can be told)."""
        if self.since <= day:
            return self.percent, self.previous_percent
        if self.previous_since is not None and self.previous_since <= day:
            return self.previous_percent, None
        return None


def totals_as_of(
    seen: Sequence[SeenTotal], day: date
) -> list[tuple[Decimal | None, Decimal | None]]:
    """Each course's (total, previous total) on `day`, leaving out courses with none yet."""
    return [t for s in seen if (t := s.as_of(day)) is not None]


@dataclass(frozen=True)
class GradeFeatures:
    """A student's published course totals summed up (the grade columns of the table)."""

    courses_with_total: int = 0
    lowest_course_total: float | None = None
    failing_courses: int = 0
    largest_grade_drop: float = 0.0
    missing_work: int = 0


NO_GRADES = GradeFeatures()


def grade_features(
    totals: Sequence[tuple[Decimal | None, Decimal | None]],
    missing_work: int,
    thresholds: Thresholds,
) -> GradeFeatures:
    """From each course's (published total, the one before it) and the missing pieces."""
    graded = [(now, before) for now, before in totals if now is not None]
    drops = [before - now for now, before in graded if before is not None and before > now]
    return GradeFeatures(
        courses_with_total=len(graded),
        lowest_course_total=float(min(now for now, _ in graded)) if graded else None,
        failing_courses=sum(1 for now, _ in graded if now < thresholds.failing_percent),
        largest_grade_drop=float(max(drops)) if drops else 0.0,
        missing_work=missing_work,
    )


@dataclass(frozen=True)
class Score:
    """What a scorer says of a student: a level, a number (0–1, higher is more at risk) and
    the reasons in the domain's words."""

    level: Level
    value: float
    reasons: tuple[str, ...]


class Scorer(abc.ABC):
    """The scoring port: scores a student from their feature-table row (attendance and grade
    features). The rule-based scorer is the default (the manifest's component); a model plugs
    in here later — a subclass, trained on exported features of the same `version` — as
    another component. No model weights ship with edtech."""

    name: str
    version: int

    @abc.abstractmethod
    def score(self, features: StudentFeatures, grades: GradeFeatures = NO_GRADES) -> Score: ...

    def with_thresholds(self, thresholds: Thresholds) -> Scorer:
        """This scorer under an institution's thresholds; a model that has none keeps itself."""
        return self


class RuleBasedScorer(Scorer):
    """The default scorer, the signals' rules over the feature row: an alert when days absent
    reach the institution's `chronic_absence_percent` of enrolled days (excused or not), a
    course's published total is failing, a total fell `grade_drop_points` or more since its
    previous publication, or `missing_work` results are flagged missing. The value is the
    absence rate; the reasons are the numbers it used, the attendance first."""

    name = "rules"
    version = FEATURE_VERSION

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or DEFAULT_THRESHOLDS

    def with_thresholds(self, thresholds: Thresholds) -> Scorer:
        """The rules at the institution's thresholds."""
        return RuleBasedScorer(thresholds)

    def score(self, features: StudentFeatures, grades: GradeFeatures = NO_GRADES) -> Score:
        f, g, t = features, grades, self.thresholds
        reasons: list[str] = []
        alert = False
        if f.days_enrolled:
            alert = 100 * f.days_absent >= t.chronic_absence_percent * f.days_enrolled
            reasons.append(
                f"{100 * f.absence_rate:g} % of enrolled days missed ({f.days_absent:g} of "
                f"{f.days_enrolled})"
            )
            if f.recent_days_absent:
                reasons.append(f"{f.recent_days_absent:g} in the last {RECENT_DAYS} days")
        if g.failing_courses:
            alert = True
            reasons.append(
                f"{g.failing_courses} of {g.courses_with_total} courses below "
                f"{t.failing_percent} % (lowest {g.lowest_course_total:g} %)"
            )
        if g.largest_grade_drop >= t.grade_drop_points:
            alert = True
            reasons.append(f"a course total down {g.largest_grade_drop:g} points")
        if g.missing_work >= t.missing_work:
            alert = True
            reasons.append(f"{g.missing_work} pieces of work missing")
        if not reasons:
            return Score(Level.NONE, 0.0, ("no school days yet",))
        return Score(Level.ALERT if alert else Level.NONE, f.absence_rate, tuple(reasons))
