"""Results: entries are checked, drafts change with versions, publishing copies the draft."""

from __future__ import annotations

from decimal import Decimal

import pytest

from edtech.grades.domain import (
    EMPTY,
    CellChanged,
    Editor,
    Flag,
    Mark,
    describe_change,
    guard_edit,
    mark_problems,
)
from edtech.kernel.errors import ConflictError, ForbiddenError, InvalidError
from edtech.kernel.ids import new_id
from tests.unit.grades.factories import NOW, assessment, letter_scheme, mark, points_scheme, result

TEACHER = Editor(new_id(), "Tess Teacher")
ADMIN = Editor(new_id(), "Ada Admin", may_edit_locked=True)


def test_a_valid_entry_makes_a_mark() -> None:
    made, problems = mark_problems(
        points_scheme(), assessment(), "9.5", "  Well done ", frozenset({Flag.LATE})
    )
    assert problems == []
    assert made == Mark(Decimal("9.5"), "9.5", "Well done", frozenset({Flag.LATE}))


def test_score_above_max_needs_the_extra_credit_flag() -> None:
    _, problems = mark_problems(points_scheme(), assessment("10"), "11", None, frozenset())
    assert [(p.loc, p.type) for p in problems] == [(("value",), "above_max_points")]
    assert "11 points is above the maximum of 10" in problems[0].message
    made, problems = mark_problems(
        points_scheme(), assessment("10"), "11", None, frozenset({Flag.EXTRA_CREDIT})
    )
    assert problems == []
    assert made is not None
    assert made.points == Decimal(11)


def test_negative_score_and_unknown_letter_are_refused() -> None:
    _, problems = mark_problems(points_scheme(), assessment(), "-1", None, frozenset())
    assert problems[0].message == "a score may not be negative"
    _, problems = mark_problems(letter_scheme(), assessment(), "E", None, frozenset())
    assert "not a letter" in problems[0].message


def test_missing_and_excused_at_once_is_contradictory() -> None:
    _, problems = mark_problems(
        points_scheme(), assessment(), None, "x" * 2001, frozenset({Flag.MISSING, Flag.EXCUSED})
    )
    assert {p.loc for p in problems} == {("flags",), ("comment",)}


def test_blank_entry_clears_the_score_and_flags_still_grade() -> None:
    made, _ = mark_problems(points_scheme(), assessment(), " ", None, frozenset({Flag.EXCUSED}))
    assert made is not None
    assert made.points is None
    assert made.graded
    assert not Mark().graded


def test_enter_changes_the_draft_only_and_bumps_the_version() -> None:
    r = result()
    change = r.enter(mark("8"), editor=TEACHER, at=NOW, expected_version=0, reason=None)
    assert change is not None
    assert change.before == EMPTY
    assert change.field == "draft"
    assert r.draft == mark("8")
    assert r.published is None
    assert r.version == 1
    assert r.has_unpublished_changes


def test_entering_the_same_mark_again_changes_nothing() -> None:
    r = result(draft=mark("8"))
    assert r.enter(mark("8"), editor=TEACHER, at=NOW, expected_version=None, reason=None) is None
    assert r.version == 0


def test_stale_version_is_a_conflict_and_changes_nothing() -> None:
    r = result(draft=mark("8"))
    r.version = 4
    with pytest.raises(ConflictError):
        r.enter(mark("9"), editor=TEACHER, at=NOW, expected_version=3, reason=None)
    assert r.draft == mark("8")
    assert r.version == 4


def test_publish_copies_the_draft_once() -> None:
    r = result(draft=mark("8", comment="good"))
    change = r.publish(at=NOW, by=TEACHER.person_id)
    assert change is not None
    assert change.before is None
    assert change.field == "published"
    assert r.published == r.draft
    assert r.published_at == NOW
    assert not r.has_unpublished_changes
    assert r.publish(at=NOW, by=TEACHER.person_id) is None


def test_an_empty_draft_is_never_published() -> None:
    assert result().publish(at=NOW, by=TEACHER.person_id) is None


def test_describe_change_names_each_difference() -> None:
    assert describe_change(None, mark("8")) == ["first published"]
    assert describe_change(mark("8", "late", comment="a"), mark("9", "missing", comment="b")) == [
        "score 8 → 9",
        "flagged missing",
        "no longer late",
        "comment changed",
    ]
    assert describe_change(mark("8"), mark("8", comment="hi")) == ["comment added"]


def test_locked_period_refuses_teachers_and_asks_admins_for_a_reason() -> None:
    guard_edit(locked=False, editor=TEACHER, reason=None, closes_on="2026-11-07")
    with pytest.raises(ForbiddenError, match="closed on 2026-11-07"):
        guard_edit(locked=True, editor=TEACHER, reason="typo", closes_on="2026-11-07")
    with pytest.raises(InvalidError) as exc:
        guard_edit(locked=True, editor=ADMIN, reason="  ", closes_on="2026-11-07")
    assert exc.value.problems[0].loc == ("reason",)
    guard_edit(locked=True, editor=ADMIN, reason="appeal upheld", closes_on="2026-11-07")


def test_mark_round_trips_through_data() -> None:
    m = mark("8.25", "late", "extra_credit", comment="c")
    assert Mark.from_data(m.as_data()) == m
    assert m.as_data()["flags"] == ["extra_credit", "late"]


def test_a_changed_draft_tells_the_teachers_with_the_editor_and_an_unchanged_one_does_not() -> None:
    r = result()
    r.enter(mark("8"), editor=TEACHER, at=NOW, expected_version=0, reason=None)
    r.enter(mark("8"), editor=TEACHER, at=NOW, expected_version=None, reason=None)
    (event,) = r.pull_events()
    assert isinstance(event, CellChanged)
    assert (event.student_id, event.version, event.published) == (r.student_id, 1, None)
    assert event.draft == mark("8").as_data()
    assert (event.editor_id, event.editor_name) == (TEACHER.person_id, TEACHER.name)
