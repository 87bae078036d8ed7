"""Attendance figures from marks: present percentage, tardies, minutes late, absences."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from edtech.attendance.domain.codes import Category


@dataclass(frozen=True)
class MarkFigure:
    """One session's mark as reports see it; `present_percent` comes from the mark's code."""

    category: Category | None
    minutes_late: int | None
    present_percent: int | None


@dataclass(frozen=True)
class Summary:
    sessions: int
    marked: int
    present_percent: float | None
    present: int
    tardies: int
    minutes_late: int
    absences_excused: int
    absences_unexcused: int
    early_departures: int


def summarize(figures: Iterable[MarkFigure]) -> Summary:
    """Present % is the mean of the codes' present-fractions over marked sessions (a tardy
    counts as present unless its code says otherwise); unmarked sessions are left out."""
    items = list(figures)
    marked = [f for f in items if f.category is not None]
    counts = {c: sum(1 for f in marked if f.category == c) for c in Category}
    percent = (
        round(sum(f.present_percent or 0 for f in marked) / len(marked), 1) if marked else None
    )
    return Summary(
        sessions=len(items),
        marked=len(marked),
        present_percent=percent,
        present=counts[Category.PRESENT],
        tardies=counts[Category.TARDY],
        minutes_late=sum(f.minutes_late or 0 for f in marked if f.category == Category.TARDY),
        absences_excused=counts[Category.EXCUSED_ABSENCE],
        absences_unexcused=counts[Category.ABSENT],
        early_departures=counts[Category.EARLY_DEPARTURE],
    )
