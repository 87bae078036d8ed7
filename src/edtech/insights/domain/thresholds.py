"""An institution's thresholds: where a signal turns into an alert, and whether guardians see
their own children's signals. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from edtech.insights.domain.measures import FULL_DAY_PERCENT, HALF_DAY_PERCENT, DayRule
from edtech.kernel.errors import FieldProblem, InvalidError

RANGES: dict[str, tuple[int, int]] = {
    "chronic_absence_percent": (1, 100),
    "consecutive_absent_days": (2, 60),
    "failing_percent": (1, 100),
    "grade_drop_points": (1, 100),
    "missing_work": (1, 100),
    "full_day_percent": (1, 100),
    "half_day_percent": (1, 100),
    "not_taken_after_minutes": (1, 120),
}
"""The values each threshold may take (inclusive)."""
SIGNAL_THRESHOLDS = (
    "chronic_absence_percent",
    "consecutive_absent_days",
    "failing_percent",
    "grade_drop_points",
    "missing_work",
)
"""The thresholds the signals' levels depend on."""


@dataclass(frozen=True)
class Thresholds:
    """Where an indicator becomes an alert, per institution (these defaults until an
    administrator sets them):

    * `chronic_absence_percent` — absence: missed ≥ this % (sessions for the signal, enrolled
      days for the scorer and the measures); 10, the research's threshold.
    * `consecutive_absent_days` — absence: this many school days in a row with nothing
      attended, up to the latest, is an alert whatever the percentage.
    * `failing_percent` — grades: a course's published total below this % is failing.
    * `grade_drop_points` — grades: a total down this many points or more since the previous
      publication is an alert.
    * `missing_work` — grades: this many published results flagged missing in a course.

    And how attendance is judged (the measures, the scorer, the "not taken" alert):

    * `full_day_percent` / `half_day_percent` — a school day counts as attended in full when
      the student was in class for at least this % of the day's minutes, as half a day at
      the second (which may not exceed the first).
    * `not_taken_after_minutes` — a register nobody started this long after its period began
      is an alert to its teachers and the office.

    Kept with them, the institution's choice to share signals with families:

    * `guardians_see_signals` — a guardian may list their own children's signals (off by
      default: the research behind the indicators speaks to counsellors, and a school decides
      whether families see them).
    """

    chronic_absence_percent: int = 10
    consecutive_absent_days: int = 3
    failing_percent: int = 60
    grade_drop_points: int = 10
    missing_work: int = 3
    full_day_percent: int = FULL_DAY_PERCENT
    half_day_percent: int = HALF_DAY_PERCENT
    not_taken_after_minutes: int = 10
    guardians_see_signals: bool = False

    def __post_init__(self) -> None:
        problems = [
            FieldProblem((name,), f"must be {low} to {high}")
            for name, (low, high) in RANGES.items()
            if not low <= getattr(self, name) <= high
        ]
        if self.half_day_percent > self.full_day_percent:
            problems.append(FieldProblem(("half_day_percent",), "must not exceed full_day_percent"))
        if problems:
            raise InvalidError("Invalid thresholds.", problems)

    @property
    def day_rule(self) -> DayRule:
        """How a school day is credited from its periods at this institution."""
        return DayRule(self.full_day_percent, self.half_day_percent)

    def same_levels(self, other: Thresholds) -> bool:
        """Whether `other` judges every indicator as these do (only sharing, or how the
        measures credit a day and when an empty register is alerted, may differ): then no
        signal needs recomputing."""
        return all(getattr(self, name) == getattr(other, name) for name in SIGNAL_THRESHOLDS)


DEFAULT_THRESHOLDS = Thresholds()
