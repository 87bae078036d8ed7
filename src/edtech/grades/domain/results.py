"""Results: a draft and a published mark per (assessment, student), with flags and a version."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from edtech.grades.domain.events import CellChanged
from edtech.grades.domain.gradebook import Assessment, check_version
from edtech.grades.domain.schemes import GradingScheme, plain
from edtech.kernel.errors import FieldProblem, ForbiddenError, InvalidError
from edtech.kernel.events import Aggregate

MAX_COMMENT = 2000


class Flag(enum.StrEnum):
    """Marks on a result: late and missing are facts; excused and exempt leave it out of totals;
    extra credit allows a score above the maximum."""

    LATE = "late"
    MISSING = "missing"
    EXCUSED = "excused"
    EXEMPT = "exempt"
    EXTRA_CREDIT = "extra_credit"


LEFT_OUT = frozenset({Flag.EXCUSED, Flag.EXEMPT})
SETTLED = frozenset({Flag.MISSING, *LEFT_OUT})  # flags that grade a result without points


@dataclass(frozen=True)
class Mark:
    """One value of a result: points (None if not scored), the entry as typed, a comment, flags."""

    points: Decimal | None = None
    entered: str | None = None
    comment: str | None = None
    flags: frozenset[Flag] = field(default_factory=frozenset)

    @property
    def graded(self) -> bool:
        """Scored, or settled by a flag (missing counts as zero; excused/exempt are left out)."""
        return self.points is not None or not self.flags.isdisjoint(SETTLED)

    @property
    def is_empty(self) -> bool:
        return self == EMPTY

    def as_data(self) -> dict[str, Any]:
        return {
            "points": None if self.points is None else plain(self.points),
            "entered": self.entered,
            "comment": self.comment,
            "flags": sorted(f.value for f in self.flags),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Mark:
        points = data.get("points")
        return cls(
            points=None if points is None else Decimal(points),
            entered=data.get("entered"),
            comment=data.get("comment"),
            flags=frozenset(Flag(f) for f in data.get("flags", ())),
        )


EMPTY = Mark()


def mark_problems(
    scheme: GradingScheme,
    assessment: Assessment,
    entry: str | None,
    comment: str | None,
    flags: frozenset[Flag],
) -> tuple[Mark | None, list[FieldProblem]]:
    """Build a mark from a teacher's entry, or say what is wrong with it (field by field).

    A score may not be negative, nor above the maximum unless flagged extra credit; a letter
    must be one of the scheme's; a result cannot be both missing and excused or exempt.
    """
    problems: list[FieldProblem] = []
    points: Decimal | None = None
    entered: str | None = None
    if entry is not None and entry.strip() != "":
        try:
            points, entered = scheme.to_points(entry, assessment.max_points)
        except ValueError as exc:
            problems.append(FieldProblem(("value",), str(exc)))
        else:
            if points < 0:
                problems.append(FieldProblem(("value",), "a score may not be negative"))
            elif points > assessment.max_points and Flag.EXTRA_CREDIT not in flags:
                problems.append(
                    FieldProblem(
                        ("value",),
                        f"{plain(points)} points is above the maximum of "
                        f"{plain(assessment.max_points)}; flag extra_credit to allow it",
                        "above_max_points",
                    )
                )
    if Flag.MISSING in flags and flags & LEFT_OUT:
        problems.append(
            FieldProblem(("flags",), "a result cannot be missing and excused or exempt at once")
        )
    if comment is not None and len(comment) > MAX_COMMENT:
        problems.append(FieldProblem(("comment",), f"must be at most {MAX_COMMENT} characters"))
    if problems:
        return None, problems
    text = comment.strip() if comment else None
    return Mark(points=points, entered=entered, comment=text or None, flags=flags), []


@dataclass(frozen=True)
class Editor:
    """Who changes a result, and whether they may edit a locked grading period."""

    person_id: uuid.UUID
    name: str
    may_edit_locked: bool = False


def guard_edit(*, locked: bool, editor: Editor, reason: str | None, closes_on: object) -> None:
    """After a grading period closes, only holders of the capability may edit, and with a reason."""
    if not locked:
        return
    if not editor.may_edit_locked:
        raise ForbiddenError(
            f"the grading period closed on {closes_on}; its grades are locked "
            "(an administrator can change them, with a reason)"
        )
    if not (reason and reason.strip()):
        raise InvalidError(
            "a reason is required to change grades of a closed grading period",
            [FieldProblem(("reason",), "required after the grading period closed")],
        )


@dataclass(frozen=True)
class Change:
    """One before/after of a result's draft or published value, for the audit history."""

    student_id: uuid.UUID
    field: str  # "draft" or "published"
    before: Mark | None
    after: Mark
    reason: str | None


@dataclass(eq=False, kw_only=True)
class Result(Aggregate):
    """A student's result on an assessment: the teacher's draft and what the student sees.

    Students and guardians only ever see `published`; publishing copies the draft over it.
    Every change bumps `version` (optimistic concurrency).
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    assessment_id: uuid.UUID
    section_id: uuid.UUID
    student_id: uuid.UUID
    draft: Mark = EMPTY
    published: Mark | None = None
    published_at: datetime | None = None
    version: int = 0
    updated_at: datetime
    updated_by: uuid.UUID | None = None

    @property
    def has_unpublished_changes(self) -> bool:
        return self.draft != (self.published or EMPTY)

    def enter(
        self,
        mark: Mark,
        *,
        editor: Editor,
        at: datetime,
        expected_version: int | None,
        reason: str | None,
    ) -> Change | None:
        """Set the draft; nothing happens (and no version is spent) when it is unchanged.

        A change tells the section's teachers at once (`grades.cell_changed`, with the editor).
        """
        check_version(expected_version, self.version, "the result")
        if mark == self.draft:
            return None
        before = self.draft
        self.draft = mark
        self.version += 1
        self.updated_at = at
        self.updated_by = editor.person_id
        self.record(
            CellChanged(
                institution_id=self.institution_id,
                occurred_at=at,
                section_id=self.section_id,
                assessment_id=self.assessment_id,
                student_id=self.student_id,
                draft=mark.as_data(),
                published=None if self.published is None else self.published.as_data(),
                version=self.version,
                editor_id=editor.person_id,
                editor_name=editor.name,
            )
        )
        return Change(self.student_id, "draft", before, mark, _reason(reason))

    def publish(self, *, at: datetime, by: uuid.UUID, reason: str | None = None) -> Change | None:
        """Make the draft visible; nothing happens when students already see exactly it."""
        if self.published == self.draft or (self.published is None and self.draft.is_empty):
            return None
        before = self.published
        self.published = self.draft
        self.published_at = at
        self.version += 1
        self.updated_at = at
        self.updated_by = by
        return Change(self.student_id, "published", before, self.draft, _reason(reason))


def _reason(reason: str | None) -> str | None:
    return reason.strip() or None if reason else None


def describe_change(before: Mark | None, after: Mark) -> list[str]:
    """What changed between two published values, in words ("score 8 → 9", "comment added")."""
    if before is None:
        return ["first published"]
    out: list[str] = []
    if before.entered != after.entered or before.points != after.points:
        out.append(f"score {before.entered or '—'} → {after.entered or '—'}")
    for flag in sorted(after.flags - before.flags):
        out.append(f"flagged {flag.value}")
    for flag in sorted(before.flags - after.flags):
        out.append(f"no longer {flag.value}")
    if before.comment != after.comment:
        if before.comment is None:
            out.append("comment added")
        elif after.comment is None:
            out.append("comment removed")
        else:
            out.append("comment changed")
    return out
