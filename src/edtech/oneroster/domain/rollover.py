"""Year-end rollover rules: which grade follows which (OneRoster grade codes, CEDS)."""

from __future__ import annotations

LADDER = ("IT", "PR", "PK", "KG", *(f"{n:02d}" for n in range(1, 13)))
"""Infant/toddler, preschool, pre-kindergarten, kindergarten, then grades 1–12."""
GRADUATING = "12"


def next_grade(grade: str | None) -> str | None:
    """The grade a student moves up to; None when there is none to move to (no grade, grade
    12 — they graduate — or a code outside the ladder such as `UG` or `Other`, kept as is).
    `TK` (transitional kindergarten) goes on to `KG`; `13` is not promoted."""
    if grade == "TK":
        return "KG"
    if grade is None or grade not in LADDER or grade == GRADUATING:
        return None
    return LADDER[LADDER.index(grade) + 1]
