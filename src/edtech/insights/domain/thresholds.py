"""An institution's thresholds: where a signal turns into an alert, and whether guardians see
their own children's signals. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, replace

from edtech.kernel.errors import FieldProblem, InvalidError

RANGES: dict[str, tuple[int, int]] = {
    "chronic_absence_percent": (1, 100),
    "consecutive_absent_days": (2, 60),
    "failing_percent": (1, 100),
    "grade_drop_points": (1, 100),
    "missing_work": (1, 100),
}
"""The values each threshold may take (inclusive)."""


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
    guardians_see_signals: bool = False

    def __post_init__(self) -> None:
        problems = [
            FieldProblem((name,), f"must be {low} to {high}")
            for name, (low, high) in RANGES.items()
            if not low <= getattr(self, name) <= high
        ]
        if problems:
            raise InvalidError("Invalid thresholds.", problems)

    def same_levels(self, other: Thresholds) -> bool:
        """Whether `other` judges every indicator as these do (only sharing may differ): then
        no signal needs recomputing."""
        return replace(other, guardians_see_signals=self.guardians_see_signals) == self


DEFAULT_THRESHOLDS = Thresholds()
